import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useTrees } from './helpers/tree.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const tree = useTrees();

/**
 * A copy of the engine's sources beside the real node_modules, so the launcher keeps its own
 * bundle for it and a test can edit and break things without touching the checkout.
 */
function engineCopy(): string {
  const dir = tree({});
  for (const part of ['gates', 'policies', 'schemas']) {
    fs.cpSync(path.join(ROOT, part), path.join(dir, part), { recursive: true, filter: (src) => !src.includes('__fixtures__') });
  }
  for (const f of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

// The bundles of the copies live in the shared node_modules/.cache: remove them with the copies.
const caches: string[] = [];
afterAll(() => {
  for (const dir of caches) fs.rmSync(dir, { recursive: true, force: true });
});

function launch(dir: string, args: string[] = ['list']): { out: string; err: string; rebuilt: boolean; status: number | null } {
  const r = spawnSync(process.execPath, [path.join(dir, 'gates', 'launcher.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, GATES_LAUNCHER_DEBUG: '1', NO_COLOR: '1' },
  });
  return { out: r.stdout, err: r.stderr, rebuilt: r.stderr.includes('rebuilding the engine bundle'), status: r.status };
}

/** Where the launcher keeps the bundle of the engine in `dir` (one folder per checkout). */
function bundleDir(dir: string): string {
  const hash = createHash('sha256').update(dir).digest('hex').slice(0, 12);
  return path.join(ROOT, 'node_modules', '.cache', 'odooops-gates', `bundle-${hash}`);
}

describe('the gates launcher', () => {
  const dir = engineCopy();
  const cache = bundleDir(fs.realpathSync(dir));
  caches.push(cache);

  it('builds the bundle on the first run and reuses it on the next', () => {
    const first = launch(dir);
    expect(first.status).toBe(0);
    expect(first.rebuilt).toBe(true);
    expect(first.out).toContain('parity/smtp-port');
    const second = launch(dir);
    expect(second.rebuilt).toBe(false);
    expect(second.out).toBe(first.out);
  });

  it('rebuilds after a source edit, and the edit shows in that run', () => {
    const file = path.join(dir, 'policies', 'parity', 'smtp-port.ts');
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.replace("title: 'SMTP_PORT is never 25", "title: 'EDITED SMTP_PORT is never 25"));
    const r = launch(dir);
    expect(r.rebuilt).toBe(true);
    expect(r.out).toContain('EDITED SMTP_PORT is never 25');
  });

  it('does not rebuild when a file is touched but unchanged', () => {
    const file = path.join(dir, 'gates', 'core', 'run.ts');
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(file, later, later);
    expect(launch(dir).rebuilt).toBe(false);
  });

  it('rebuilds when the lockfile changes', () => {
    fs.appendFileSync(path.join(dir, 'package-lock.json'), '\n');
    expect(launch(dir).rebuilt).toBe(true);
  });

  it('never trusts a corrupted bundle or manifest: it rebuilds them', () => {
    fs.appendFileSync(path.join(cache, 'gates.mjs'), '\nthrow new Error("corrupted");\n');
    const r = launch(dir);
    expect(r.rebuilt).toBe(true);
    expect(r.status).toBe(0);
    fs.writeFileSync(path.join(cache, 'manifest.json'), '{not json');
    const s = launch(dir);
    expect(s.rebuilt).toBe(true);
    expect(s.status).toBe(0);
    expect(launch(dir).rebuilt).toBe(false);
  });

  it('never trusts a corrupted or missing chunk: it rebuilds', () => {
    const chunks = () => fs.readdirSync(cache).filter((f) => /^chunk-.*\.mjs$/.test(f));
    const [first, second] = chunks();
    expect(chunks().length).toBeGreaterThanOrEqual(2);
    fs.appendFileSync(path.join(cache, first ?? ''), '\nthrow new Error("corrupted");\n');
    expect(launch(dir).rebuilt).toBe(true);
    fs.rmSync(path.join(cache, second ?? ''));
    const r = launch(dir);
    expect(r.rebuilt).toBe(true);
    expect(r.status).toBe(0);
    expect(launch(dir).rebuilt).toBe(false);
  });

  it('removes the chunks of earlier builds at a rebuild once they are old, keeps recent ones', () => {
    const old = path.join(cache, 'chunk-OLDBUILD.mjs');
    const recent = path.join(cache, 'chunk-RECENTBUILD.mjs');
    fs.writeFileSync(old, 'export {};\n');
    fs.writeFileSync(recent, 'export {};\n');
    const hourAgo = new Date(Date.now() - 3600_000);
    fs.utimesSync(old, hourAgo, hourAgo);
    expect(launch(dir).rebuilt).toBe(false);
    expect(fs.existsSync(old)).toBe(true);
    fs.appendFileSync(path.join(dir, 'package-lock.json'), '\n');
    expect(launch(dir).rebuilt).toBe(true);
    expect(fs.existsSync(old)).toBe(false);
    expect(fs.existsSync(recent)).toBe(true);
  });

  it('reports the same findings as the sources run under tsx, loading its chunks as a run needs them', () => {
    const repo = tree({ 'ssot/platform.yaml': 'version: 1\n', 'migrations/20260101000000_init.sql': 'create tabel x ();\n' });
    const json = (args: string[], name: string): unknown => {
      const file = path.join(repo, `${name}.json`);
      const r = spawnSync(
        process.execPath,
        [...args, 'check', '--root', repo, '--no-cache', '--format', `json:${file}`, '--artifacts', path.join(repo, name)],
        {
          encoding: 'utf8',
          env: { ...process.env, DATABASE_URL: '' },
        },
      );
      expect(r.status, r.stderr).toBe(1);
      const report = JSON.parse(fs.readFileSync(file, 'utf8')) as { findings: unknown[]; policies: Array<{ id: string; status: string; reason?: string }> };
      return [report.findings, report.policies.map((p) => [p.id, p.status, p.reason])];
    };
    const bundled = json([path.join(dir, 'gates', 'launcher.mjs')], 'bundled');
    const sources = json(['--import', 'tsx', path.join(dir, 'gates', 'cli.ts')], 'sources');
    expect(bundled).toEqual(sources);
    expect(JSON.stringify(bundled)).toContain('migrations/syntax');
  });

  it('never serves a parse made by code that has changed since: the parse cache is keyed by it', () => {
    const repo = tree({ 'ssot/broken.yaml': 'a: [1, 2\n' });
    const findings = (): string => {
      const r = launch(dir, ['check', '--root', repo, '--only', 'files/yaml-wellformed', '--format', 'json']);
      expect(r.status, r.err).toBe(1);
      return JSON.stringify((JSON.parse(r.out) as { findings: unknown[] }).findings);
    };
    const first = findings();
    expect(first).toContain('YAML syntax error');
    expect(findings()).toBe(first);
    const file = path.join(dir, 'gates', 'core', 'yaml.ts');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace("'YAML syntax error: {{error}}'", "'EDITED YAML syntax error: {{error}}'"));
    expect(findings()).toContain('EDITED YAML syntax error');
    const id = createHash('sha256').update(path.resolve(repo)).digest('hex').slice(0, 16);
    const parse = path.join(ROOT, 'node_modules', '.cache', 'odooops-gates', 'parse');
    for (const f of fs.readdirSync(parse)) if (f.includes(id)) fs.rmSync(path.join(parse, f));
  });

  it('rebuilds when a source file it was built from is gone', () => {
    const m = JSON.parse(fs.readFileSync(path.join(cache, 'manifest.json'), 'utf8')) as { inputs: Record<string, unknown> };
    m.inputs['gates/core/vanished.ts'] = { size: 1, mtimeMs: 1, sha: 'x' };
    fs.writeFileSync(path.join(cache, 'manifest.json'), JSON.stringify(m));
    expect(launch(dir).rebuilt).toBe(true);
  });
});
