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
    expect((await runPolicyOn(history, dir, { base: 'base' })).caseLines).toEqual([]);
  });

  it('reports an edited base migration at its first changed line, with the diff', async () => {
    const dir = repoWithBase(BASE);
    write(dir, 'migrations/20260301000010_first.sql', 'create schema ops;\ncreate table ops.a (\n  id uuid primary key,\n  note varchar(20)\n);\n');
    const { caseLines: lines, findings } = await runPolicyOn(history, dir, { base: 'base' });
    expect(lines).toEqual([
      'migrations/20260301000010_first.sql:4:1-4:19 error edited {"base":"base","summary":"line 4: -\\"  note text\\" +\\"  note varchar(20)\\"","diff":' +
        JSON.stringify(findings[0]?.data?.diff) +
        '}',
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
    expect((await runPolicyOn(history, dir, { base: 'base' })).caseLines).toEqual([
      'migrations/20260301000010_first.sql:1:1-1:1 error deleted {"file":"migrations/20260301000010_first.sql","base":"base"}',
      'migrations/20260303000000_second.sql:1:1-1:42 error renamed {"was":"migrations/20260301000020_second.sql"}',
    ]);
  });

  it('reports a new migration that sorts before the newest on the base', async () => {
    const dir = repoWithBase(BASE);
    write(dir, 'migrations/20260301000015_between.sql', 'create table ops.d (id uuid primary key);\n');
    expect((await runPolicyOn(history, dir, { base: 'base' })).caseLines).toEqual([
      'migrations/20260301000015_between.sql:1:1-1:42 error out-of-order {"version":"20260301000015","newest":"20260301000020"}',
    ]);
  });
});

describe('migrations/lint with a git base', () => {
  it('lints only the new migrations and treats base tables as existing', async () => {
    const dir = repoWithBase({ ...BASE, 'migrations/20260301000030_old.sql': 'create table ops.old (id serial primary key);\n' });
    write(
      dir,
      'migrations/20260302000000_new.sql',
      'create table ops.fresh (id uuid primary key);\ncreate index fresh_id on ops.fresh (id);\ncreate index a_note on ops.a (note);\n',
    );
    expect((await runPolicyOn(lint, dir, { base: 'base' })).caseLines).toEqual([
      'migrations/20260302000000_new.sql:3:1-3:36 warning index-non-concurrent {"table":"ops.a"}',
    ]);
  });

  // A history the way Supabase projects write it: tables in public, names unqualified.
  const PUBLIC_BASE = {
    'migrations/20240101000000_init-schema.sql':
      'create table profiles (\n  id uuid primary key,\n  name text,\n  email varchar(200)\n);\ncreate index profiles_name_idx on profiles (name);\n',
    'migrations/20240102000000_posts.sql': 'create table posts (id uuid primary key, author uuid, title text, body text);\n',
  };

  it('takes the tables of the base as existing and reports every locking change to them, at its line', async () => {
    const dir = repoWithBase(PUBLIC_BASE);
    write(
      dir,
      'migrations/20240201000000_reshape.sql',
      [
        'alter table profiles alter column name type varchar(80);',
        'alter table profiles alter column email type text;',
        'alter table profiles alter column name set not null;',
        'alter table posts add column slug text default md5(random()::text);',
        'alter table posts add constraint posts_author_fk foreign key (author) references profiles (id);',
        'alter table posts add constraint posts_title_key unique (title);',
        'drop index profiles_name_idx;',
        'create index posts_title_idx on posts (title);',
        'create table tags (id uuid primary key, name text);',
        'create index tags_name_idx on tags (name);',
        'alter table tags add constraint tags_name_key unique (name);',
        '',
      ].join('\n'),
    );
    expect((await runPolicyOn(lint, dir, { base: 'base' })).caseLines).toEqual([
      'migrations/20240201000000_reshape.sql:1:1-1:56 warning column-type-change {"column":"name","table":"public.profiles","type":"varchar(80)"}',
      'migrations/20240201000000_reshape.sql:1:45-1:52 warning prefer-text {"column":"name"}',
      'migrations/20240201000000_reshape.sql:3:1-3:52 warning set-not-null {"column":"name","table":"public.profiles"}',
      'migrations/20240201000000_reshape.sql:4:30-4:34 warning volatile-default {"column":"slug","table":"public.posts","default":"the volatile default random()"}',
      'migrations/20240201000000_reshape.sql:5:23-5:95 warning constraint-not-valid {"kind":"a foreign key","constraint":"posts_author_fk","table":"public.posts","lock":"SHARE ROW EXCLUSIVE locks on public.posts and public.profiles (no writes to either)"}',
      'migrations/20240201000000_reshape.sql:6:23-6:64 warning unique-without-index {"kind":"a unique constraint","table":"public.posts"}',
      'migrations/20240201000000_reshape.sql:7:1-7:29 warning drop-index-non-concurrent {"index":"public.profiles_name_idx","table":"on existing table public.profiles"}',
      'migrations/20240201000000_reshape.sql:8:1-8:46 warning index-non-concurrent {"table":"public.posts"}',
    ]);
  });

  it('says nothing of unqualified names that resolve to public, where the tables live', async () => {
    const dir = repoWithBase(PUBLIC_BASE);
    write(
      dir,
      'migrations/20240201000000_comments.sql',
      'create table comments (id uuid primary key, post uuid references posts (id));\ninsert into comments (id) select id from posts;\n',
    );
    expect((await runPolicyOn(lint, dir, { base: 'base' })).caseLines).toEqual([]);
  });
});
