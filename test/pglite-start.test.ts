// The embedded Postgres's start: a worker started ahead of the replay and the dumps it opens from.
// Each test uses its own dump folder, so damaging a dump here never touches another test file's.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTempDirs } from './helpers/tree.ts';
import { loadSqlParser, NEWEST_PG_MAJOR } from '../gates/core/sql.ts';
import { openAhead, openDatabase, startPglite, type Db, type StartedPglite } from '../gates/db/engine.ts';
import { newPrepareState } from '../gates/db/prepare.ts';
import { guessExtensions, preparedBaseline } from '../gates/db/replay.ts';

const dumpFolder = useTempDirs('gates-pglite-');

beforeAll(async () => {
  await loadSqlParser();
});

const baseline = (available: ReadonlySet<string>): string => preparedBaseline(newPrepareState(available, NEWEST_PG_MAJOR, NEWEST_PG_MAJOR));

async function open(cacheDir: string, extensions: string[], started?: StartedPglite, base = baseline): Promise<Db> {
  return openDatabase({ statementTimeoutMs: 60_000, pgliteExtensions: extensions, baseline: base, pgliteCacheDir: cacheDir, started });
}

interface Opened {
  ahead: boolean;
  extensions: string[];
  uid: boolean;
  marker: boolean;
}

/** Opens PGlite in `cacheDir` through a worker started ahead that guessed `guess`; returns what it holds. */
async function openStarted(cacheDir: string, guess: string[], extensions: string[], base = baseline): Promise<Opened> {
  const started = startPglite(cacheDir);
  openAhead(started, guess, (available) => Promise.resolve(base(available)));
  const db = await open(cacheDir, extensions, started, base);
  try {
    const rows = await db.query<{ extname: string }>('select extname from pg_extension order by 1');
    const [u] = await db.query<{ uid: boolean; marker: boolean }>(
      `select to_regprocedure('auth.uid()') is not null as uid, to_regclass('public.marker') is not null as marker`,
    );
    return { ahead: db.openedAhead === true, extensions: rows.map((r) => r.extname), uid: u?.uid === true, marker: u?.marker === true };
  } finally {
    await db.close();
    started.discard();
  }
}

const dumps = (dir: string): string[] => fs.readdirSync(dir).filter((f) => /^pglite-[\d.]+-[0-9a-f]{16}\.tar$/.test(f));
const bundles = (dir: string): string[] => fs.readdirSync(dir).filter((f) => /^pglite-bundle-[0-9a-f]{16}\.tar$/.test(f));
/** Whether a file starts like the ustar archive PGlite dumps (the magic at byte 257). */
const isTar = (file: string): boolean => fs.readFileSync(file).subarray(257, 262).toString('latin1') === 'ustar';

describe('the embedded Postgres started ahead', () => {
  it('is taken when it guessed the extensions, and opens the dump the last run opened without waiting for the baseline', async () => {
    const dir = dumpFolder();
    // The first open builds the dump (initdb and the baseline) and notes it as the last one opened.
    const first = await openStarted(dir, [], []);
    expect(first).toMatchObject({ ahead: true, uid: true, marker: false });
    expect(first.extensions).toEqual(expect.arrayContaining(['pgcrypto', 'uuid-ossp']));
    expect(dumps(dir)).toHaveLength(1);
    expect(JSON.parse(fs.readFileSync(path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('-last.json')) ?? ''), 'utf8'))).toEqual({
      bundles: 'pgcrypto,uuid-ossp',
      dump: path.join(dir, dumps(dir)[0] ?? ''),
    });
    // The second open starts from that dump at once.
    expect((await openStarted(dir, [], [])).ahead).toBe(true);
  });

  it('is stopped, and the database opened afresh, when the guess was wrong; the result is the same', async () => {
    const dir = dumpFolder();
    const right = await openStarted(dir, [], []);
    // A `create extension vector` in a comment made the guess load pgvector; the parse found none.
    const wrong = await openStarted(dir, ['vector'], []);
    expect(wrong.ahead).toBe(false);
    expect(wrong).toEqual({ ...right, ahead: false });
    expect(wrong.extensions).not.toContain('vector');
  });

  it('never uses the last dump when it is not the one the baseline is keyed to', async () => {
    const dir = dumpFolder();
    // Another baseline (one more table), the same extensions: another dump, noted as the last one.
    const marked = (available: ReadonlySet<string>): string => `${baseline(available)}\ncreate table public.marker (id int);`;
    expect((await openStarted(dir, [], [], marked)).marker).toBe(true);
    // The worker started ahead opens that dump at once; it is not the one this baseline is keyed
    // to, so it is stopped and the right one built and opened.
    const r = await openStarted(dir, [], []);
    expect(r).toMatchObject({ ahead: false, marker: false, uid: true });
    expect(dumps(dir)).toHaveLength(2);
    // Now noted as the last one, it is taken the next time.
    expect(await openStarted(dir, [], [])).toMatchObject({ ahead: true, marker: false });
  });

  it('rebuilds a dump that is not a tar, or a cut one, instead of trusting it', async () => {
    const dir = dumpFolder();
    const clean = await openStarted(dir, [], []);
    const [name] = dumps(dir);
    const file = path.join(dir, name ?? '');
    for (const damage of [Buffer.from('not a tar at all\n'.repeat(64)), fs.readFileSync(file).subarray(0, 1_000_000)]) {
      fs.writeFileSync(file, damage);
      // Started ahead (it opens the damaged dump without a baseline and fails), then opened afresh.
      expect(await openStarted(dir, [], [])).toEqual({ ...clean, ahead: false });
      expect(isTar(file)).toBe(true);
      expect(fs.statSync(file).size).toBeGreaterThan(damage.length);
      // And opened directly, with no worker started ahead.
      fs.writeFileSync(file, damage);
      const db = await open(dir, []);
      expect(await db.query('select 1 as one')).toEqual([{ one: 1 }]);
      await db.close();
      expect(isTar(file)).toBe(true);
    }
  });

  it('loads an extension library when Postgres first uses it, from a kept unzipped bundle that is rebuilt when damaged', async () => {
    const dir = dumpFolder();
    const digest = async (): Promise<string> => {
      const db = await open(dir, []);
      try {
        const [r] = await db.query<{ d: string; s: string }>(
          `select encode(extensions.digest('odooops', 'sha256'), 'hex') as d, left(extensions.crypt('x', extensions.gen_salt('bf')), 4) as s`,
        );
        return `${r?.d ?? '(none)'} ${r?.s ?? '(none)'}`;
      } finally {
        await db.close();
      }
    };
    const first = await digest();
    expect(first).toBe(`${createHash('sha256').update('odooops').digest('hex')} $2a$`);
    const kept = bundles(dir);
    expect(kept.length).toBeGreaterThan(0);
    for (const k of kept) fs.writeFileSync(path.join(dir, k), 'damaged');
    expect(await digest()).toBe(first);
    for (const k of kept) expect(isTar(path.join(dir, k))).toBe(true);
  });

  it('is stopped when not taken, and keeps no process alive', async () => {
    const dir = dumpFolder();
    const started = startPglite(dir);
    openAhead(started, [], (available) => Promise.resolve(baseline(available)));
    started.discard();
    started.discard();
    // A database opened with the discarded handle starts its own worker.
    const db = await open(dir, [], started);
    expect(db.openedAhead).toBe(false);
    expect(await db.query('select 2 as two')).toEqual([{ two: 2 }]);
    await db.close();
  });
});

describe('the extensions guessed from the migrations before they are parsed', () => {
  it('reads quoted and unquoted names, with or without if not exists, in any case', () => {
    const sql = [
      'create extension if not exists "uuid-ossp" with schema extensions;',
      'CREATE EXTENSION pg_trgm;',
      'create   extension\n  IF NOT EXISTS vector schema extensions;',
      'create extension "Odd""Name";',
    ];
    expect(guessExtensions(sql)).toEqual(['Odd"Name', 'pg_trgm', 'uuid-ossp', 'vector']);
  });

  it('also counts names in comments and strings (a wrong guess is never used), and nothing else', () => {
    expect(guessExtensions(["-- create extension postgis;\nselect 'create extension hstore';"])).toEqual(['hstore', 'postgis']);
    expect(guessExtensions(['drop extension pgcrypto;', 'alter extension vector update;', 'create extensions_table();'])).toEqual([]);
  });
});
