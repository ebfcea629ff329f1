import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runPolicyOn } from '../gates/testing/fixtures.ts';
import history from '../policies/migrations/history.ts';
import lint from '../policies/migrations/lint.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A git repository whose first commit (tagged `base`) holds `files`. */
function repoWithBase(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-history-'));
  dirs.push(dir);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  for (const [f, text] of Object.entries(files)) write(dir, f, text);
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-q', '-m', 'base');
  git('tag', 'base');
  return dir;
}

function write(dir: string, f: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
  fs.writeFileSync(path.join(dir, f), text);
}

const BASE = {
  'migrations/20260301000010_first.sql': 'create schema ops;\ncreate table ops.a (\n  id uuid primary key,\n  note text\n);\n',
  'migrations/20260301000020_second.sql': 'create table ops.b (id uuid primary key);\n',
};

describe('migrations/history against a git base', () => {
  it('reports nothing when the change only adds a later migration', async () => {
    const dir = repoWithBase(BASE);
    write(dir, 'migrations/20260302000000_third.sql', 'create table ops.c (id uuid primary key);\n');
    expect((await runPolicyOn(history, dir, { base: 'base' })).lines).toEqual([]);
  });

  it('reports an edited base migration at its first changed line, with the diff', async () => {
    const dir = repoWithBase(BASE);
    write(dir, 'migrations/20260301000010_first.sql', 'create schema ops;\ncreate table ops.a (\n  id uuid primary key,\n  note varchar(20)\n);\n');
    const { lines, findings } = await runPolicyOn(history, dir, { base: 'base' });
    expect(lines).toEqual([
      'migrations/20260301000010_first.sql:4:1-4:19 error edited {"base":"base","summary":"line 4: -\\"  note text\\" +\\"  note varchar(20)\\"","diff":' + JSON.stringify(findings[0]?.data?.diff) + '}',
    ]);
    expect(findings[0]?.message).toBe(
      'migration exists on the base (base) and was edited (line 4: -"  note text" +"  note varchar(20)"); databases that applied it will never see the change — restore it and put the change in a new migration',
    );
    expect(findings[0]?.data?.diff).toContain('-  note text\n+  note varchar(20)\n');
  });

  it('reports a deleted and a renamed base migration', async () => {
    const dir = repoWithBase(BASE);
    fs.rmSync(path.join(dir, 'migrations/20260301000010_first.sql'));
    fs.renameSync(path.join(dir, 'migrations/20260301000020_second.sql'), path.join(dir, 'migrations/20260303000000_second.sql'));
    expect((await runPolicyOn(history, dir, { base: 'base' })).lines).toEqual([
      'migrations/20260301000010_first.sql:1:1-1:1 error deleted {"file":"migrations/20260301000010_first.sql","base":"base"}',
      'migrations/20260303000000_second.sql:1:1-1:42 error renamed {"was":"migrations/20260301000020_second.sql"}',
    ]);
  });

  it('reports a new migration that sorts before the newest on the base', async () => {
    const dir = repoWithBase(BASE);
    write(dir, 'migrations/20260301000015_between.sql', 'create table ops.d (id uuid primary key);\n');
    expect((await runPolicyOn(history, dir, { base: 'base' })).lines).toEqual([
      'migrations/20260301000015_between.sql:1:1-1:42 error out-of-order {"version":"20260301000015","newest":"20260301000020"}',
    ]);
  });
});

describe('migrations/lint with a git base', () => {
  it('lints only the new migrations and treats base tables as existing', async () => {
    const dir = repoWithBase({ ...BASE, 'migrations/20260301000030_old.sql': 'create table ops.old (id serial primary key);\n' });
    write(dir, 'migrations/20260302000000_new.sql', 'create table ops.fresh (id uuid primary key);\ncreate index fresh_id on ops.fresh (id);\ncreate index a_note on ops.a (note);\n');
    expect((await runPolicyOn(lint, dir, { base: 'base' })).lines).toEqual([
      'migrations/20260302000000_new.sql:3:1 warning index-non-concurrent: index on existing table ops.a is built without CONCURRENTLY and blocks writes while it builds; on a large table build it concurrently outside the migration, or if it is intended, justify it on the line above: `-- lint-allow index-non-concurrent: <reason>` [migrations/lint]',
    ]);
  });
});
