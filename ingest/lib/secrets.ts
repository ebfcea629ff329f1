import type { Redactor } from './redact.ts';
import { MIN_SECRET_LENGTH } from './redact.ts';
import type { SsotReader } from './config.ts';

export const SECRETS_REGISTRY = 'ssot/secrets/registry.yaml';

export interface SecretEntry {
  purpose: string;
  stores: string[];
  consumers: string[];
  rotation_days: number;
  environments: string[];
  owner: string;
  not_yet_consumed?: string;
}

export interface SecretsRegistry {
  version: number;
  secrets: Record<string, SecretEntry>;
}

/** The environment variable that carries a registered secret: its name in upper case. */
export function secretEnvVar(name: string): string {
  return name.toUpperCase();
}

export class SecretError extends Error {
  override name = 'SecretError';
}

/**
 * Secrets by their registry names. A name not in the registry is a programming error; a secret
 * registered but unset says which variable to set. Every value looked up is registered with the
 * redactor before it is returned, so it never reaches a log or an error.
 */
export class Secrets {
  constructor(
    readonly registry: SecretsRegistry,
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly redactor: Redactor,
  ) {}

  static load(reader: SsotReader, env: Readonly<Record<string, string | undefined>>, redactor: Redactor): Secrets {
    return new Secrets(reader.load<SecretsRegistry>(SECRETS_REGISTRY), env, redactor);
  }

  /** The value, or undefined when the variable is unset. */
  find(name: string, consumer?: string): string | undefined {
    const entry = this.registry.secrets[name];
    if (!entry) {
      throw new SecretError(`secret ${name} is not in ${SECRETS_REGISTRY}; register it there before a runner reads it`);
    }
    if (consumer && !entry.consumers.includes(consumer)) {
      throw new SecretError(
        `${consumer} reads secret ${name} but ${SECRETS_REGISTRY} does not list it among the consumers (${entry.consumers.join(', ') || 'none'}); add it there`,
      );
    }
    const value = this.env[secretEnvVar(name)];
    if (value === undefined || value === '') return undefined;
    if (value.length < MIN_SECRET_LENGTH) {
      throw new SecretError(`${secretEnvVar(name)} (secret ${name}) is shorter than ${MIN_SECRET_LENGTH} characters; it cannot be a real credential`);
    }
    this.redactor.add(name, value);
    return value;
  }

  require(name: string, consumer?: string): string {
    const v = this.find(name, consumer);
    if (v === undefined) {
      throw new SecretError(
        `secret ${name} is not set: export ${secretEnvVar(name)} (stores: ${this.registry.secrets[name]?.stores.join(', ') ?? 'none registered'})`,
      );
    }
    return v;
  }

  /** Registers every registered secret present in the environment with the redactor. */
  redactAll(): void {
    for (const name of Object.keys(this.registry.secrets)) {
      const v = this.env[secretEnvVar(name)];
      if (v) this.redactor.add(name, v);
    }
  }
}
