import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPolicyOn } from '../gates/testing/fixtures.ts';
import fileNames from '../policies/migrations/file-names.ts';
import lint from '../policies/migrations/lint.ts';
import replay from '../policies/migrations/replay.ts';
import syntax from '../policies/migrations/syntax.ts';
import { useTrees } from './helpers/tree.ts';

// A history written the way Supabase projects write theirs (public tables, unqualified names,
// hyphenated file names, auth.users foreign keys, a private schema, a seed.sql, a file with its own
// transaction), and a change that reshapes its tables. The same corpus is compared with squawk.
const CORPUS = path.join(import.meta.dirname, '__fixtures__', 'lint-supabase-history');
const makeTree = useTrees();

function read(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(path.join(CORPUS, dir, 'migrations')))
    out[`migrations/${f}`] = fs.readFileSync(path.join(CORPUS, dir, 'migrations', f), 'utf8');
  return out;
}

/** A git repository whose commit tagged `base` holds the base history, with the change on top. */
function repo(): string {
  const dir = makeTree(read('base'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-q', '-m', 'base');
  git('tag', 'base');
  for (const [f, text] of Object.entries(read('head'))) fs.writeFileSync(path.join(dir, f), text);
  return dir;
}

describe('migrations/lint on a Supabase-style history', () => {
  it('reports every locking, destructive or failing statement of the change, and nothing on what the base already did', async () => {
    const { caseLines, internalErrors } = await runPolicyOn(lint, repo(), { base: 'base' });
    expect(internalErrors).toBe(0);
    expect(caseLines).toEqual([
      'migrations/20240201000000_profiles-email.sql:1:46-1:53 warning prefer-text {"column":"email"}',
      'migrations/20240201000000_profiles-email.sql:2:1-2:60 warning set-not-null {"column":"email","table":"public.profiles"}',
      'migrations/20240201000000_profiles-email.sql:3:1-3:59 warning index-non-concurrent {"table":"public.profiles"}',
      'migrations/20240201000000_profiles-email.sql:4:33-4:77 warning unique-without-index {"kind":"a unique constraint","table":"public.profiles"}',
      'migrations/20240202000000_todos-priority.sql:2:37-2:48 warning volatile-default {"column":"external_id","table":"public.todos","default":"the volatile default gen_random_uuid()"}',
      'migrations/20240202000000_todos-priority.sql:3:1-3:61 warning column-type-change {"column":"task","table":"public.todos","type":"varchar(500)"}',
      'migrations/20240202000000_todos-priority.sql:3:49-3:56 warning prefer-text {"column":"task"}',
      'migrations/20240202000000_todos-priority.sql:4:30-4:94 warning constraint-not-valid {"kind":"a check constraint","constraint":"todos_priority_range","table":"public.todos","lock":"an ACCESS EXCLUSIVE lock on public.todos (no reads or writes)"}',
      'migrations/20240203000000_team-fk.sql:3:1-3:69 warning validate-in-same-file {"constraint":"documents_author_fk","table":"public.documents"}',
      'migrations/20240203000000_team-fk.sql:4:30-4:69 warning unique-without-index {"kind":"a unique constraint","table":"public.teams"}',
      'migrations/20240204000000_cleanup.sql:1:1-1:46 warning drop-index-non-concurrent {"index":"public.todos_user_id_idx","table":"on existing table public.todos"}',
      'migrations/20240204000000_cleanup.sql:2:1-2:102 error concurrently-in-transaction {"what":"create index concurrently"}',
      'migrations/20240204000000_cleanup.sql:3:1-3:49 error drop-column {"column":"description","table":"public.teams"}',
      'migrations/20240204000000_cleanup.sql:4:1-4:66 error rename-column {"column":"role","table":"public.team_members","to":"member_role"}',
      'migrations/20240206000000_audit.sql:1:42-1:52 warning volatile-default {"column":"request_id","table":"private.audit_log","default":"the volatile default uuid_generate_v4()"}',
      'migrations/20240206000000_audit.sql:2:1-2:63 warning column-type-change {"column":"at","table":"private.audit_log","type":"timestamptz"}',
      'migrations/20240206000000_audit.sql:3:13-3:22 warning unqualified-name {"name":"audit_log","path":"public","schema":"private","qualified":"private.audit_log"}',
    ]);
  });

  it('takes every migration as new without a base: only the statements that are wrong on any table remain', async () => {
    const { caseLines } = await runPolicyOn(lint, repo());
    expect(caseLines).toEqual([
      'migrations/20240101000100_profiles.sql:3:12-3:19 warning prefer-text {"column":"username"}',
      'migrations/20240105000000_private_schema.sql:4:6-4:15 warning prefer-identity {"column":"id","type":"bigserial"}',
      'migrations/20240105000000_private_schema.sql:7:11-7:15 warning prefer-jsonb {"column":"payload"}',
      'migrations/20240105000000_private_schema.sql:8:6-8:15 warning prefer-timestamptz {"column":"at"}',
      'migrations/20240109000000_tx.sql:1:1-1:6 error transaction-control {"statement":"begin"}',
      'migrations/20240109000000_tx.sql:3:1-3:7 error transaction-control {"statement":"commit"}',
      'migrations/20240201000000_profiles-email.sql:1:46-1:53 warning prefer-text {"column":"email"}',
      'migrations/20240202000000_todos-priority.sql:3:49-3:56 warning prefer-text {"column":"task"}',
      'migrations/20240204000000_cleanup.sql:2:1-2:102 error concurrently-in-transaction {"what":"create index concurrently"}',
      'migrations/20240206000000_audit.sql:3:13-3:22 warning unqualified-name {"name":"audit_log","path":"public","schema":"private","qualified":"private.audit_log"}',
    ]);
  });

  it('applies hyphenated names and warns that seed.sql is not applied', async () => {
    expect((await runPolicyOn(fileNames, repo(), { base: 'base' })).caseLines).toEqual([
      'migrations/seed.sql:1:1-1:63 warning not-applied {"name":"seed.sql"}',
    ]);
  });

  it('replays a hyphenated migration before the next one, and reports a typo in it', async () => {
    const init = 'create table public.notes (id uuid primary key);\n';
    const next = 'create index notes_id_idx on public.notes (id);\n';
    const clean = makeTree({ 'migrations/20240101000000_init-schema.sql': init, 'migrations/20240102000000_notes-index.sql': next });
    // The only other line is the replay's engine-major warning (PGlite runs 18, the target is 17).
    expect((await runPolicyOn(replay, clean)).caseLines.filter((l) => !l.includes(' engine-major '))).toEqual([]);
    const typo = makeTree({ 'migrations/20240101000000_init-schema.sql': `creat${init.slice(6)}`, 'migrations/20240102000000_notes-index.sql': next });
    expect((await runPolicyOn(syntax, typo)).caseLines).toEqual([
      'migrations/20240101000000_init-schema.sql:1:1-1:6 error syntax-error {"error":"syntax error at or near \\"creat\\""}',
    ]);
  });
});
