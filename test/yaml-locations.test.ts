import { describe, expect, it } from 'vitest';
import schemaPolicy from '../policies/ssot/schema.ts';
import { runPolicyOn } from '../gates/testing/fixtures.ts';
import { locatePointer, parseYaml } from '../gates/core/yaml.ts';
import { findingText } from '../gates/reporters/util.ts';
import { blankJsonc } from '../gates/core/text.ts';
import { useTrees } from './helpers/tree.ts';

const schema = JSON.stringify({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://odooops.dev/schemas/test/service.schema.json',
  description: 'A test service file.',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'smtp'],
  properties: {
    name: { description: 'Name.', type: 'string' },
    defaults: { description: 'Shared values.', type: 'object' },
    smtp: {
      description: 'SMTP settings.',
      type: 'object',
      additionalProperties: false,
      required: ['smtp_host', 'port'],
      properties: {
        smtp_host: { description: 'Host.', type: 'string' },
        port: { description: 'Port.', type: 'integer' },
        security: { description: 'TLS mode.', enum: ['starttls', 'tls'] },
      },
    },
    ports: { description: 'Ports.', type: 'array', items: { description: 'A port.', type: 'integer', maximum: 65535 } },
    notes: { description: 'Free text.', type: 'string', maxLength: 10 },
  },
});

const newTree = useTrees();
/** Runs the schema gate over one SSOT file and returns the findings as `line:col text`, worded as every report shows them. */
async function check(content: string | Uint8Array): Promise<string[]> {
  const root = newTree({
    'schemas/ssot/service.schema.json': schema,
    'schemas/map.yaml': '- files: ssot/**/*.yaml\n  schema: schemas/ssot/service.schema.json\n',
    'ssot/service.yaml': content,
  });
  const { findings, internalErrors } = await runPolicyOn(schemaPolicy, root);
  expect(internalErrors).toBe(0);
  return findings.map((f) => `${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${findingText(f)}`);
}

describe('schema findings land on the exact source range', () => {
  it('a nested wrong type: the value', async () => {
    expect(await check('name: gates\nsmtp:\n  smtp_host: smtp.mailgun.org\n  port: "x"\n')).toEqual([
      '4:9-4:12 `smtp.port` must be an integer, got the string "x"',
    ]);
  });

  it('an unknown key: the key, with the closest allowed key', async () => {
    expect(await check('name: gates\nsmtp:\n  smtp_hots: smtp.mailgun.org\n  smtp_host: a\n  port: 587\n')).toEqual([
      '3:3-3:12 unknown key `smtp_hots` in `smtp` — did you mean `smtp_host`?',
    ]);
  });

  it('a missing required key: the nearest existing ancestor key', async () => {
    expect(await check('name: gates\nsmtp:\n  smtp_host: smtp.mailgun.org\n')).toEqual(['2:1-2:5 missing required key `port` in `smtp`']);
  });

  it('a missing required key at the top: the start of the document', async () => {
    expect(await check('# header comment\n\nname: gates\n')).toEqual(['3:1-3:1 missing required key `smtp` in the document']);
  });

  it('a bad list item: the item', async () => {
    expect(await check('name: gates\nsmtp: {smtp_host: a, port: 1}\nports:\n  - 587\n  - 70000\n  - x\n')).toEqual([
      '5:5-5:10 `ports[1]` must be <= 65535, got the integer 70000',
      '6:5-6:6 `ports[2]` must be an integer, got the string "x"',
    ]);
  });

  it('a value reached through an alias: the alias, naming the anchor line', async () => {
    const text = 'name: gates\ndefaults:\n  base: &smtp_base\n    smtp_host: smtp.mailgun.org\n    port: "587"\nsmtp: *smtp_base\n';
    expect(await check(text)).toEqual([
      '6:7-6:17 `smtp.port` must be an integer, got the string "587" (reached through alias *smtp_base; the anchor &smtp_base is at line 3)',
    ]);
  });

  it('a value merged in with <<: the alias of the merge', async () => {
    const text = 'name: gates\ndefaults: &d\n  port: "587"\nsmtp:\n  <<: *d\n  smtp_host: smtp.mailgun.org\n';
    expect(await check(text)).toEqual(['5:7-5:9 `smtp.port` must be an integer, got the string "587" (reached through alias *d; the anchor &d is at line 2)']);
  });

  it('flow style mappings and sequences', async () => {
    expect(await check('name: gates\nsmtp: {smtp_host: smtp.mailgun.org, port: 587, security: ssl}\nports: [587, "465"]\n')).toEqual([
      '2:58-2:61 `smtp.security` must be one of `starttls`, `tls`, got the string "ssl"',
      '3:14-3:19 `ports[1]` must be an integer, got the string "465"',
    ]);
  });

  it('block scalars and comments do not shift positions', async () => {
    const text = 'name: gates # the name\nnotes: |\n  a long note\n  over lines\n# a comment line\nsmtp:\n  smtp_host: a\n  port: no\n';
    expect(await check(text)).toEqual([
      '2:8-5:1 `notes` must have at most 10 characters, got the string "a long note\\nover lines\\n"',
      '8:9-8:11 `smtp.port` must be an integer, got the string "no"',
    ]);
  });

  it('CRLF line endings and a UTF-8 BOM', async () => {
    const text = '\ufeffname: gates\r\nsmtp:\r\n  smtp_host: a\r\n  port: "x"\r\n  extra: 1\r\n';
    expect(await check(text)).toEqual([
      '4:9-4:12 `smtp.port` must be an integer, got the string "x"',
      '5:3-5:8 unknown key `extra` in `smtp` — allowed keys: `smtp_host`, `port`, `security`',
    ]);
  });

  it('columns count characters, not UTF-16 units or bytes', async () => {
    expect(await check('name: "🚀 gates"\nsmtp: {smtp_host: "ü", port: x}\n')).toEqual(['2:30-2:31 `smtp.port` must be an integer, got the string "x"']);
  });

  it('a multi-document file: each document validated, findings carry the document', async () => {
    expect(await check('name: a\nsmtp: {smtp_host: a, port: 1}\n---\nname: b\nsmtp: {smtp_host: b, port: x}\n')).toEqual([
      '5:28-5:29 `smtp.port` must be an integer, got the string "x" (document 2 of 2)',
    ]);
  });

  it("the runner keeps the alias and the document as data; the wording is the reporters' alone", async () => {
    const root = newTree({
      'schemas/ssot/service.schema.json': schema,
      'schemas/map.yaml': '- files: ssot/**/*.yaml\n  schema: schemas/ssot/service.schema.json\n',
      'ssot/service.yaml': 'name: a\nsmtp: {smtp_host: a, port: 1}\n---\nname: b\ndefaults: &d\n  port: "x"\nsmtp:\n  <<: *d\n  smtp_host: b\n',
    });
    const { findings } = await runPolicyOn(schemaPolicy, root);
    expect(findings.map((f) => [f.message, f.alias, f.doc, f.docCount])).toEqual([
      ['`smtp.port` must be an integer, got the string "x"', { name: 'd', line: 5 }, 1, 2],
    ]);
    expect(findings.map(findingText)).toEqual([
      '`smtp.port` must be an integer, got the string "x" (reached through alias *d; the anchor &d is at line 5) (document 2 of 2)',
    ]);
  });

  it('every error of a file, not only the first', async () => {
    const lines = await check('name: 1\nsmtp:\n  port: x\nextra: true\n');
    expect(lines).toEqual([
      '1:7-1:8 `name` must be a string, got the integer 1',
      '2:1-2:5 missing required key `smtp_host` in `smtp`',
      '3:9-3:10 `smtp.port` must be an integer, got the string "x"',
      '4:1-4:6 unknown key `extra` — allowed keys: `name`, `defaults`, `smtp`, `ports`, `notes`',
    ]);
  });
});

describe('locatePointer', () => {
  const file = parseYaml('multi.yaml', 'a: 1\n---\nb:\n  c: [x, y]\n');

  it('resolves pointers in the document given', () => {
    expect(locatePointer(file, '/b/c/1', { doc: 1 }).range).toEqual({ line: 4, column: 10, endLine: 4, endColumn: 11 });
    expect(locatePointer(file, '/b/c', { doc: 1, at: 'key' }).range).toEqual({ line: 4, column: 3, endLine: 4, endColumn: 4 });
  });

  it('falls back to the closest ancestor for a path that does not exist', () => {
    const loc = locatePointer(file, '/b/missing/deeper', { doc: 1 });
    expect(loc.exact).toBe(false);
    expect(loc.range).toEqual({ line: 3, column: 1, endLine: 3, endColumn: 2 });
  });

  it('decodes ~0 and ~1 in pointer segments', () => {
    const f = parseYaml('k.yaml', 'a/b: 1\n"x~y": 2\n');
    expect(locatePointer(f, '/a~1b').range.line).toBe(1);
    expect(locatePointer(f, '/x~0y').range).toEqual({ line: 2, column: 8, endLine: 2, endColumn: 9 });
  });

  it('keeps working after the parsed documents were evicted', () => {
    const f = parseYaml('e.yaml', 'a:\n  b: 2\n');
    for (let i = 0; i < 300; i++) parseYaml(`other-${i}.yaml`, 'x: 1\n');
    expect(locatePointer(f, '/a/b').range).toEqual({ line: 2, column: 6, endLine: 2, endColumn: 7 });
  });
});

describe('blankJsonc', () => {
  it('blanks comments and trailing commas, keeping every offset, and leaves strings alone', () => {
    const text = '{\n  // a comment\n  "a": "x // not a comment, /* nor this */",\n  /* b\n  */ "b": [1, 2,],\n  "c": "\\" ,]",\n}\n';
    const plain = blankJsonc(text);
    expect(plain.length).toBe(text.length);
    expect(plain.split('\n').map((l) => l.length)).toEqual(text.split('\n').map((l) => l.length));
    expect(JSON.parse(plain)).toEqual({ a: 'x // not a comment, /* nor this */', b: [1, 2], c: '" ,]' });
  });

  it('leaves an unterminated comment or string blanked or as is, never throwing', () => {
    expect(blankJsonc('{"a": 1 /* open')).toBe('{"a": 1        ');
    expect(blankJsonc('{"a": "open')).toBe('{"a": "open');
  });
});
