import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { cachedValidators, createAjv, storeValidators, type SchemaSource, type Validate } from './validators.ts';

import { ENGINE_DIR } from './engine-dir.ts';

export { ENGINE_DIR } from './engine-dir.ts';

export const ARTIFACT_SCHEMAS_DIR = path.join(ENGINE_DIR, 'schemas', 'artifacts');

/** Compiled JSON Schema validators (the artifacts' and the repository's), keyed by the schemas' content. */
export const VALIDATOR_CACHE_DIR = path.join(ENGINE_DIR, 'node_modules', '.cache', 'odooops-gates', 'validators');

/** What each YAML file and migration parsed to, one pack per kind and checked root (gates/core/parse-cache.ts). */
export const PARSE_CACHE_DIR = path.join(ENGINE_DIR, 'node_modules', '.cache', 'odooops-gates', 'parse');

/** An artifact that breaks its contract; it is never written. */
export class ArtifactError extends Error {
  constructor(
    readonly artifact: string,
    message: string,
  ) {
    super(message);
  }
}

const validators = new Map<string, Validate>();

/** The schema of an artifact kind as the validator cache takes it. */
export function artifactSchema(kind: string): SchemaSource {
  const text = fs.readFileSync(path.join(ARTIFACT_SCHEMAS_DIR, `${kind}.schema.json`), 'utf8');
  return { file: `schemas/artifacts/${kind}.schema.json`, id: `artifact:${kind}`, text, schema: JSON.parse(text) as object };
}

/**
 * The schema of an artifact kind: `schemas/artifacts/<kind>.schema.json`, compiled once per
 * process, its compiled code kept in the validator cache (`cacheDir`; null: compile every process).
 */
function validator(kind: string, cacheDir: string | null): Validate {
  const key = `${cacheDir ?? ''}\0${kind}`;
  let v = validators.get(key);
  if (!v) {
    const source = artifactSchema(kind);
    v = cacheDir === null ? undefined : cachedValidators(cacheDir, 'artifact', [source])?.get(source.id);
    if (!v) {
      const ajv = createAjv('artifact', cacheDir !== null);
      ajv.addSchema(source.schema, source.id);
      if (cacheDir !== null) storeValidators(cacheDir, 'artifact', [source], ajv);
      const compiled = ajv.getSchema(source.id);
      if (!compiled) throw new Error(`schemas/artifacts/${kind}.schema.json did not compile`);
      v = compiled;
    }
    validators.set(key, v);
  }
  return v;
}

/**
 * Why the data breaks the artifact kind's schema; empty when it conforms. `cacheDir`: where the
 * compiled validators are kept (null: compile the schema with Ajv, store nothing).
 */
export function artifactProblems(kind: string, data: unknown, cacheDir: string | null = VALIDATOR_CACHE_DIR): string[] {
  const validate = validator(kind, cacheDir);
  if (validate(data)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`.trim());
}

/**
 * Writes `text` to `file` so that no reader ever sees half of it: a temporary file in the same
 * folder, flushed, then renamed over the target (atomic on one file system).
 */
export function writeFileAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** The bytes of an artifact: two-space JSON and a final newline. */
export function artifactText(data: unknown): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}

/**
 * Validates an artifact against its published schema (`kind`, default the file name without
 * `.json`), then writes `<dir>/<file>` atomically; an artifact that breaks its contract is never
 * written and throws an ArtifactError naming it.
 */
export function writeArtifact(dir: string, name: string, data: unknown, kind = name): string {
  const fileName = name.endsWith('.json') ? name : `${name}.json`;
  const problems = artifactProblems(kind, data);
  if (problems.length) {
    throw new ArtifactError(fileName, `artifact ${fileName} does not match schemas/artifacts/${kind}.schema.json: ${problems.join('; ')}`);
  }
  const file = path.join(dir, fileName);
  writeFileAtomic(file, artifactText(data));
  return file;
}
