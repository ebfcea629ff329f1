import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { artifactProblems } from '../gates/core/artifacts.ts';

const doc = fs.readFileSync(path.resolve(import.meta.dirname, '..', 'docs', 'artifacts.md'), 'utf8');
const examples = [...doc.matchAll(/<!-- example: ([a-z-]+) -->\n```json\n([^]*?)\n```/g)].map((m) => ({ kind: m[1] as string, json: m[2] as string }));

describe('docs/artifacts.md', () => {
  it('shows an example of every artifact kind', () => {
    const kinds = fs
      .readdirSync(path.resolve(import.meta.dirname, '..', 'schemas', 'artifacts'))
      .map((f) => f.replace(/\.schema\.json$/, ''))
      .sort();
    expect(examples.map((e) => e.kind).sort()).toEqual(kinds);
  });

  for (const e of examples) {
    it(`has a ${e.kind} example that passes its schema`, () => {
      expect(artifactProblems(e.kind, JSON.parse(e.json))).toEqual([]);
    });
  }
});
