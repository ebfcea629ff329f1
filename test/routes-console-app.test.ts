// Runs the route gates through the CLI against a small but complete console: the control repo's
// nav (the one of docs/ssot.md) and a Next.js App Router app with its layout, left nav and build.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../gates/main.ts';

const FIXTURES = path.resolve(import.meta.dirname, '__fixtures__');
const temps: string[] = [];

afterEach(() => {
  for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

interface ReportFinding {
  file: string;
  line: number;
  column: number;
  severity: string;
  policy: string;
  message: string;
}

async function gates(root: string, extra: string[] = []): Promise<{ code: number; findings: ReportFinding[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const artifacts = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-artifacts-'));
  temps.push(artifacts);
  const code = await main(['check', '--root', root, '--only', 'routes', '--format', 'json', '--artifacts', artifacts, ...extra], {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    env: {},
    cwd: root,
    isTTY: false,
  });
  expect(err.join('')).toBe('');
  return { code, findings: (JSON.parse(out.join('')) as { findings: ReportFinding[] }).findings };
}

/** A copy of the control repo and the console checked out next to it, as CI lays them out. */
function copyConsole(): { repo: string; app: string } {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-console-'));
  temps.push(base);
  fs.cpSync(path.join(FIXTURES, 'console-repo'), path.join(base, 'console-repo'), { recursive: true });
  fs.cpSync(path.join(FIXTURES, 'console-app'), path.join(base, 'console-app'), { recursive: true });
  return { repo: path.join(base, 'console-repo'), app: path.join(base, 'console-app') };
}

describe('the console app', () => {
  it('passes every route gate as it is: each nav route has a page, a nav link and a place in the build', async () => {
    const { code, findings } = await gates(path.join(FIXTURES, 'console-repo'));
    expect(findings).toEqual([]);
    expect(code).toBe(0);
  });

  it('fails at the nav lines when a page is removed, a link dropped and the build is stale', async () => {
    const { repo, app } = copyConsole();
    fs.rmSync(path.join(app, 'src/app/(console)/advisor'), { recursive: true });
    const nav = path.join(app, 'src/components/nav/left-nav.tsx');
    fs.writeFileSync(nav, fs.readFileSync(nav, 'utf8').replace("      { href: '/modules', label: 'Modules' },\n", ''));
    const manifest = path.join(app, '.next/app-path-routes-manifest.json');
    const built = JSON.parse(fs.readFileSync(manifest, 'utf8')) as Record<string, string>;
    delete built['/(console)/metrics/page'];
    fs.writeFileSync(manifest, JSON.stringify(built, null, 2));
    fs.mkdirSync(path.join(app, 'src/app/(console)/reports'));
    fs.writeFileSync(path.join(app, 'src/app/(console)/reports/page.tsx'), 'export default function Reports() {\n  return null;\n}\n');

    const { code, findings } = await gates(repo);
    expect(code).toBe(1);
    expect(findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.severity} [${f.policy}] ${f.message}`)).toEqual([
      'ssot/console/nav.yaml:4:1 notice [routes/nav-coverage] page src/app/(console)/reports/page.tsx (route /reports) is not reached from the nav: no entry of ssot/console/nav.yaml leads to it or to a route above it — add it to the nav, or remove the page if it is dead',
      'ssot/console/nav.yaml:10:12 error [routes/nav-component] nav route /modules (Modules) is not linked from src/components/nav/left-nav.tsx — add a link with href="/modules" or remove the route from the nav',
      'ssot/console/nav.yaml:11:12 error [routes/build-manifest] nav route /metrics does not resolve in the production build of ../console-app: no page for it in .next/app-path-routes-manifest.json, .next/server/pages-manifest.json — the page is missing from the build or the build is stale; rebuild and check that the page compiles',
      'ssot/console/nav.yaml:14:12 error [routes/nav-coverage] nav route /advisor (Advisor) has no page in ../console-app; the closest existing route is /logs (src/app/(console)/logs/page.tsx) — add src/app/advisor/page.tsx or fix the path',
    ]);
    expect(findings.every((f) => !f.file.startsWith('..'))).toBe(true);
  });

  it('takes --app-dir over app_dir and reads it relative to the root', async () => {
    const { repo } = copyConsole();
    fs.renameSync(path.join(repo, '..', 'console-app'), path.join(repo, '..', 'elsewhere'));
    const missing = await gates(repo);
    expect(missing.code).toBe(0);
    expect(missing.findings.map((f) => `${f.line}:${f.column} ${f.severity} ${f.message}`)).toEqual([
      '2:10 notice no app dir found: route coverage skipped because ../console-app does not exist (app_dir in ssot/console/nav.yaml, relative to the repository root) — check the console out there or pass --app-dir PATH',
    ]);
    const found = await gates(repo, ['--app-dir', '../elsewhere']);
    expect(found.findings).toEqual([]);
    expect(found.code).toBe(0);
  });
});
