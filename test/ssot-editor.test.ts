import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import picomatch from 'picomatch';
import { afterAll, describe, expect, it } from 'vitest';
import { Repo } from '../gates/core/repo.ts';
import { resolveInRepo } from '../gates/core/paths.ts';
import { SchemaSet } from '../gates/core/schema.ts';

const root = path.resolve(import.meta.dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssot-editor-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const repo = new Repo({ root, artifactsDir: path.join(tmp, 'artifacts') });
const ssotFiles = repo.glob(['ssot/**/*.yaml', 'ssot/**/*.yml']);
const schemaFiles = repo.glob('schemas/ssot/*.schema.json');

/** The schema an editor applies to `file`: from its modeline, else from .vscode/settings.json. */
function editorSchema(file: string): { modeline?: string; settings?: string } {
  const out: { modeline?: string; settings?: string } = {};
  const first = fs
    .readFileSync(path.join(root, file), 'utf8')
    .split('\n')
    .find((l) => l.trim() !== '');
  const m = /^#\s*yaml-language-server:\s*\$schema=(\S+)/.exec(first ?? '');
  if (m?.[1]) out.modeline = resolveInRepo(file, m[1]);
  const settings = JSON.parse(fs.readFileSync(path.join(root, '.vscode', 'settings.json'), 'utf8')) as { 'yaml.schemas': Record<string, string | string[]> };
  for (const [schema, globs] of Object.entries(settings['yaml.schemas'])) {
    if (picomatch(globs, { dot: true })(file)) out.settings = schema.replace(/^\.\//, '');
  }
  return out;
}

describe('editor mapping of the SSOT', () => {
  it('finds SSOT files to check', () => {
    expect(ssotFiles.length).toBeGreaterThanOrEqual(14);
  });

  it.each(ssotFiles)('%s gets the gate’s schema in an editor (modeline and settings agree)', (file) => {
    const gate = SchemaSet.of(repo).choose(file).choice?.schema;
    const { modeline, settings } = editorSchema(file);
    expect(gate, 'schemas/map.yaml maps it').toBeDefined();
    expect(modeline ?? settings, 'a modeline or .vscode/settings.json maps it').toBeDefined();
    if (modeline) expect(modeline).toBe(gate);
    if (settings) expect(settings).toBe(gate);
    expect(fs.existsSync(path.join(root, gate ?? ''))).toBe(true);
  });
});

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Property schemas that editors show as hover text: every entry of every `properties`, except
 * inside `if`/`then`/`else`/`not`, which constrain properties declared elsewhere.
 */
function declaredProperties(node: Json, at: string, out: Array<{ at: string; schema: Json }>): void {
  if (Array.isArray(node)) node.forEach((n, i) => declaredProperties(n, `${at}/${i}`, out));
  if (!isObj(node)) return;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'if' || k === 'then' || k === 'else' || k === 'not' || k === 'const' || k === 'enum') continue;
    if (k === 'properties' && isObj(v)) for (const [name, s] of Object.entries(v)) out.push({ at: `${at}/properties/${name}`, schema: s });
    declaredProperties(v, `${at}/${k}`, out);
  }
}

/** Object schemas (those with `properties`) outside the conditional keywords. */
function objectSchemas(node: Json, at: string, out: Array<{ at: string; schema: Record<string, Json> }>): void {
  if (Array.isArray(node)) node.forEach((n, i) => objectSchemas(n, `${at}/${i}`, out));
  if (!isObj(node)) return;
  if (isObj(node.properties)) out.push({ at, schema: node });
  for (const [k, v] of Object.entries(node)) {
    if (k === 'if' || k === 'then' || k === 'else' || k === 'not' || k === 'allOf') continue;
    objectSchemas(v, `${at}/${k}`, out);
  }
}

describe.each(schemaFiles)('%s', (file) => {
  const schema = JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')) as Record<string, Json>;

  it('has a stable $id, draft 2020-12, a title and a description', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(`https://odooops.dev/schemas/ssot/${path.basename(file)}`);
    expect(typeof schema.title).toBe('string');
    expect(typeof schema.description).toBe('string');
  });

  it('describes every property', () => {
    const props: Array<{ at: string; schema: Json }> = [];
    declaredProperties(schema, '#', props);
    expect(props.length).toBeGreaterThan(0);
    const undescribed = props.filter((p) => !isObj(p.schema) || typeof p.schema.description !== 'string' || p.schema.description.length < 5).map((p) => p.at);
    expect(undescribed).toEqual([]);
  });

  it('closes every object to unknown keys', () => {
    const objects: Array<{ at: string; schema: Record<string, Json> }> = [];
    objectSchemas(schema, '#', objects);
    expect(objects.filter((o) => o.schema.additionalProperties !== false).map((o) => o.at)).toEqual([]);
  });
});
