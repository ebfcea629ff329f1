import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';

/** Set by the launcher's bundle, which does not live beside the sources. */
declare const __GATES_ENGINE_DIR__: string | undefined;

/** The engine's own checkout (where its schemas and docs live), whatever `--root` is. */
export const ENGINE_DIR =
  typeof __GATES_ENGINE_DIR__ === 'string' ? __GATES_ENGINE_DIR__ : path.resolve(import.meta.dirname, '..', '..');

/**
 * Writes an artifact after validating it against its published schema
 * (`schemas/artifacts/<name>.schema.json`); an artifact that breaks its contract is never written.
 */
export function writeArtifact(dir: string, name: string, data: unknown): string {
  const schemaFile = path.join(ENGINE_DIR, 'schemas', 'artifacts', `${name}.schema.json`);
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaFile, 'utf8')) as object);
  if (!validate(data)) {
    const why = (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`).join('; ');
    throw new Error(`artifact ${name}.json does not match ${path.relative(ENGINE_DIR, schemaFile)}: ${why}`);
  }
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}
