import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policies } from '../policies/index.ts';
import { Repo } from '../gates/core/repo.ts';
import { runGates } from '../gates/core/run.ts';
import { formatFindingText as formatFinding } from '../gates/testing/fixtures.ts';
import { makeTree, removeTree } from './helpers/tree.ts';

const schema = JSON.stringify({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://odooops.dev/schemas/test/any.schema.json',
  description: 'Anything with a numeric port.',
  type: 'object',
  properties: { port: { description: 'Port.', type: 'integer' } },
});

const bomb = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  '',
].join('\n');

let root: string;
let outside: string;
let lines: string[];
let internalErrors: number;

beforeAll(async () => {
  root = makeTree({
    'schemas/ssot/any.schema.json': schema,
    'schemas/map.yaml': '- files: ssot/**/*.yaml\n  schema: schemas/ssot/any.schema.json\n',
    '.vscode/settings.json': JSON.stringify({ 'yaml.schemas': { 'schemas/ssot/any.schema.json': ['ssot/**/*.yaml'] } }),
    'ssot/a-syntax.yaml': 'port: 1\nlist: [1, 2\n',
    'ssot/b-duplicate.yaml': 'port: 1\nname: x\nport: 2\n',
    'ssot/c-bomb.yaml': bomb,
    'ssot/d-huge.yaml': `port: 1\nblob: "${'x'.repeat(5 * 1024 * 1024)}"\n`,
    'ssot/e-binary.yaml': new Uint8Array([0x70, 0x3a, 0x20, 0x00, 0xff, 0x0a]),
    'ssot/f-latin1.yaml': new Uint8Array([...Buffer.from('port: 1\nname: caf'), 0xe9, 0x0a]),
    'ssot/g-empty.yaml': '',
    'ssot/h-good-but-wrong.yaml': 'port: "x"\n',
  });
  outside = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-outside-'));
  fs.writeFileSync(path.join(outside, 'secret.yaml'), 'port: 1\n');
  fs.symlinkSync(path.join(outside, 'secret.yaml'), path.join(root, 'ssot/i-link.yaml'));
  const artifactsDir = path.join(root, 'artifacts');
  const result = await runGates({ root, artifactsDir, policies });
  lines = result.findings.map(formatFinding);
  internalErrors = result.internalErrors;
});

afterAll(() => {
  removeTree(root);
  removeTree(outside);
});

describe('bad input is a finding at an exact place, never a crash', () => {
  it('crashes no policy', () => {
    expect(internalErrors).toBe(0);
  });

  it('reports every bad file, and still the schema error of the readable one', () => {
    // Every policy ran over the tree; the other gates' findings about what this tiny tree lacks
    // (runbooks, environments …) are theirs to test.
    const planted = lines.filter((l) => /^ssot\/[a-i]-/.test(l));
    expect(planted).toEqual([
      'ssot/a-syntax.yaml:2:11 error YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ] [files/yaml-wellformed]',
      'ssot/b-duplicate.yaml:3:1 error duplicate key `port`; it is first defined at line 1 — remove or rename one of them [files/yaml-wellformed]',
      'ssot/c-bomb.yaml:2:8 error aliases expand past 100 nodes (a "billion laughs" alias bomb); the file is not read — flatten the repeated content [files/yaml-wellformed]',
      'ssot/d-huge.yaml:1:1 error file is 5,242,897 bytes, over the 5 MiB cap; it is not read — split it or move the data out of the repository [files/yaml-wellformed]',
      'ssot/e-binary.yaml:1:4 error file is binary (a NUL byte at offset 3); a text file is expected [files/yaml-wellformed]',
      'ssot/f-latin1.yaml:2:10 error file is not valid UTF-8 (byte 0xe9 at offset 17); save it as UTF-8 [files/yaml-wellformed]',
      'ssot/g-empty.yaml:1:1 error file is empty [files/yaml-wellformed]',
      'ssot/h-good-but-wrong.yaml:1:7 error `port` must be an integer, got the string "x" [ssot/schema]',
      'ssot/i-link.yaml:1:1 error ssot/i-link.yaml is a symbolic link to a place outside the repository root; it is not read [files/yaml-wellformed]',
    ]);
  });
});

describe('paths that escape the repository', () => {
  it('are refused, not read', () => {
    const repo = new Repo({ root, artifactsDir: path.join(root, 'artifacts') });
    const t = repo.read('../outside.yaml');
    expect(t.ok).toBe(false);
    expect(t.ok ? '' : t.code).toBe('ESCAPES_ROOT');
    expect(repo.exists('../../etc/passwd')).toBe(false);
  });
});
