import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

/** Set by the launcher's bundle, which does not live beside the sources. */
declare const __GATES_ENGINE_DIR__: string | undefined;

/** The engine's own checkout (where its schemas and docs live), whatever `--root` is. */
export const ENGINE_DIR = typeof __GATES_ENGINE_DIR__ === 'string' ? __GATES_ENGINE_DIR__ : path.resolve(import.meta.dirname, '..', '..');

export const ARTIFACT_SCHEMAS_DIR = path.join(ENGINE_DIR, 'schemas', 'artifacts');

/** An artifact that breaks its contract; it is never written. */
export class ArtifactError extends Error {
  constructor(
    readonly artifact: string,
    message: string,
  ) {
    super(message);
  }
}

const validators = new Map<string, ValidateFunction>();

/** The schema of an artifact kind: `schemas/artifacts/<kind>.schema.json`, compiled once. */
function validator(kind: string): ValidateFunction {
  let v = validators.get(kind);
  if (!v) {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    v = ajv.compile(JSON.parse(fs.readFileSync(path.join(ARTIFACT_SCHEMAS_DIR, `${kind}.schema.json`), 'utf8')) as object);
    validators.set(kind, v);
  }
  return v;
}

/** Why the data breaks the artifact kind's schema; empty when it conforms. */
export function artifactProblems(kind: string, data: unknown): string[] {
  const validate = validator(kind);
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
