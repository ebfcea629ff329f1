import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { LineIndex } from '../gates/core/text.ts';
import { loadSqlParser, parseSql } from '../gates/core/sql.ts';
import { DEFAULT_PLATFORM } from '../gates/db/platform.ts';
import { replayMigrations, type ReplayInput, type ReplayResult } from '../gates/db/replay.ts';
import { catalogFindings } from '../policies/migrations/catalog.ts';
import { DATABASE_URL, needsServer } from './helpers/pg.ts';

// A Supabase project's history as teams write them (test/corpora/supabase-history): FKs to
// auth.users, storage buckets and policies, extensions in `extensions`, a pg_net trigger, a vector
// column with an hnsw index, pg_cron, vault, hyphenated names, a role created in a DO block, a
// private schema, a file with its own begin/commit, then supabase/seed.sql as `db reset` runs it.
const DIR = path.resolve(import.meta.dirname, 'corpora/supabase-history/supabase');
const MIGRATIONS = fs
  .readdirSync(path.join(DIR, 'migrations'))
  .filter((f) => /^\d+_.*\.sql$/.test(f))
  .sort();

async function history(): Promise<ReplayInput[]> {
  await loadSqlParser(17);
  const files = [...MIGRATIONS.map((f) => `migrations/${f}`), 'seed.sql'];
  return files.map((file) => {
    const p = parseSql(fs.readFileSync(path.join(DIR, file), 'utf8'), 17);
    if (!p.ok) throw new Error(`${file}: ${p.message}`);
    return { file, statements: p.statements };
  });
}

function lines(r: ReplayResult): string[] {
  return catalogFindings(r, DEFAULT_PLATFORM.exposedSchemas).map((f) => {
    const text = fs.readFileSync(path.join(DIR, f.file), 'utf8');
    const at = new LineIndex(text).bytePosition(f.offset ?? 0);
    return `${f.file}:${at.line} ${f.severity ?? 'default'} ${f.messageId ?? '-'} ${JSON.stringify(f.data)}`;
  });
}

describe.each([
  ['pglite', undefined],
  ['postgres', DATABASE_URL],
] as Array<[string, string | undefined]>)('the Supabase-style history on %s', (engine, databaseUrl) => {
  beforeEach((ctx) => {
    if (engine === 'postgres') needsServer(ctx, 'the replay of the history on a real server, twice in a row');
  });
  it('has at least 40 migrations and replays to the end, twice in a row, with the findings a reviewer keeps', async () => {
    expect(MIGRATIONS.length).toBeGreaterThanOrEqual(40);
    const inputs = await history();
    for (let run = 1; run <= 2; run++) {
      const r = await replayMigrations(inputs, { databaseUrl, targetMajor: 17 });
      expect(r.failure, `run ${run}`).toBeUndefined();
      expect(r.applied).toHaveLength(inputs.length);
      expect(lines(r)).toEqual([
        // Only the service role reads keys: RLS on and no policy is meant (advisor level INFO).
        'migrations/20240603090000_api-keys.sql:1 notice rls-no-policy {"object":"public.api_keys"}',
        // Flags readable and writable by the API roles (Supabase's default grants), with RLS off.
        'migrations/20240715140000_feature-flags.sql:1 error rls-disabled {"object":"public.feature_flags"}',
        // Foreign keys to auth.users and labels with no index on the referencing side: deleting a
        // user scans these tables (splinter 0001, INFO).
        'migrations/20240109141500_organizations.sql:1 notice fk-no-index {"object":"public.organizations","name":"organizations_created_by_fkey","columns":"created_by"}',
        'migrations/20240115083000_tasks.sql:3 notice fk-no-index {"object":"public.tasks","name":"tasks_created_by_fkey","columns":"created_by"}',
        'migrations/20240118170044_comments.sql:1 notice fk-no-index {"object":"public.comments","name":"comments_author_id_fkey","columns":"author_id"}',
        'migrations/20240122101100_attachments.sql:4 notice fk-no-index {"object":"public.attachments","name":"attachments_uploaded_by_fkey","columns":"uploaded_by"}',
        'migrations/20240201120000_labels.sql:9 notice fk-no-index {"object":"public.task_labels","name":"task_labels_label_id_fkey","columns":"label_id"}',
        'migrations/20240212150000_invitations.sql:1 notice fk-no-index {"object":"public.invitations","name":"invitations_invited_by_fkey","columns":"invited_by"}',
        'migrations/20240415123000_time-entries.sql:1 notice fk-no-index {"object":"public.time_entries","name":"time_entries_user_id_fkey","columns":"user_id"}',
        'migrations/20240701090000_activity-feed.sql:1 notice fk-no-index {"object":"public.activity","name":"activity_actor_id_fkey","columns":"actor_id"}',
        'migrations/20240801100000_task-watchers.sql:1 notice fk-no-index {"object":"public.task_watchers","name":"task_watchers_user_id_fkey","columns":"user_id"}',
        // A helper written without `set search_path`: every other function in the history sets it.
        'migrations/20240701093000_activity-helper.sql:1 warning function-search-path {"object":"public.record_activity","args":"org uuid, verb text, subject jsonb"}',
      ]);
    }
  }, 240_000);
});
