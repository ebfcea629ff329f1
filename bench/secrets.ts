// Measures `gates check --only secrets/no-values` on a copy of this repository plus 20,000
// generated text files (YAML, Markdown, SQL, JSON, shell, .env), 3 % of them with a planted
// secret of every kind in turn: whole-process wall time and peak memory, the detection pass alone
// in MB/s, and whether every planted secret was found at its exact line and column with nothing
// else reported. gitleaks is the reference of coverage: its default rule count is printed beside.
// Usage: npx tsx bench/secrets.ts [files]   (default: 20000)
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { KIND_IDS, snake } from '../policies/secrets/_lib/detect.ts';
import { fakePem, fakeSecrets, pick, rng, secretSpan, type FakeSecret } from '../policies/secrets/_lib/fake.ts';
import { scan } from '../policies/secrets/no-values.ts';

const ENGINE = path.resolve(import.meta.dirname, '..');
const N = Number(process.argv[2]) > 0 ? Number(process.argv[2]) : 20000;
const PLANT_EVERY = 33; // ≈ 3 %

/** gitleaks's default configuration, read from config/gitleaks.toml of gitleaks/gitleaks at commit 009e025. */
const GITLEAKS_RULES = 218;

const WORDS =
  'odoo ingest runner mailgun domain droplet firewall backup schema policy vault token secret key password rotate deploy preview branch replay catalog'.split(
    ' ',
  );
const HEX = '0123456789abcdef';

interface Plant {
  file: string;
  line: number;
  column: number;
  endColumn: number;
}

/** Lines a reviewer would see in such files, including near misses: names, refs, UUIDs, SHAs, URLs. */
function filler(r: () => number, ext: string, i: number): string[] {
  const w = () => WORDS[Math.floor(r() * WORDS.length)] as string;
  const lines: string[] = [];
  const n = 20 + Math.floor(r() * 40);
  for (let k = 0; k < n; k++) {
    const uuid = `${pick(r, HEX, 8)}-${pick(r, HEX, 4)}-4${pick(r, HEX, 3)}-a${pick(r, HEX, 3)}-${pick(r, HEX, 12)}`;
    const sha = pick(r, HEX, 40);
    const choice = Math.floor(r() * 8);
    const name = `${w()}_${w()}`;
    if (ext === 'md') {
      lines.push(
        [
          `The ${w()} ${w()} reads \`${name}_secret\` from the vault and never logs it.`,
          `- see https://docs.example.com/${w()}/${w()} (commit ${sha})`,
          `Set \`${name.toUpperCase()}_TOKEN=\${${name.toUpperCase()}_TOKEN}\` before running \`npm run ${w()}\`.`,
          `| ${w()} | ${uuid} | ${w()}-${w()}-${w()} |`,
          `psql "postgres://odoo:\${ODOO_DB_PASSWORD}@db.internal:25060/odoo"`,
          `The ${w()} key is rotated every ${10 + k} days.`,
          '',
          `## ${w()} ${w()}`,
        ][choice] as string,
      );
    } else if (ext === 'sql') {
      lines.push(
        [
          `insert into ops.${w()}s (id, name, secret_name) values ('${uuid}', '${w()}-${w()}', '${name}_key');`,
          `-- ${w()} ${w()} ${w()}`,
          `create index on ops.${w()}s (${w()}_id);`,
          `update ops.settings set ${name}_token_ref = '${name}_token' where id = '${uuid}';`,
          `select * from vault.decrypted_secrets where name = '${name}_password';`,
          `alter table ops.${w()}s add column ${w()}_sha text default '${sha}';`,
          `comment on column ops.${w()}s.${w()} is 'the ${w()} ${w()}';`,
          '',
        ][choice] as string,
      );
    } else if (ext === 'json') {
      lines.push(
        `  "${name}_${k}": ${['"' + uuid + '"', '"' + sha + '"', String(k), '"' + w() + '-' + w() + '"', `"${name}_secret"`, '"${' + name.toUpperCase() + '}"', 'true', '"https://api.example.com/v2/' + w() + '"'][choice] ?? 'null'},`,
      );
    } else if (ext === 'sh' || ext === 'env') {
      const pre = ext === 'sh' ? 'export ' : '';
      lines.push(
        [
          `${pre}${name.toUpperCase()}_TOKEN=\${${name.toUpperCase()}_TOKEN}`,
          `# ${w()} ${w()} ${w()}`,
          `${pre}${name.toUpperCase()}_URL=https://${w()}.example.com/${w()}`,
          `${pre}${name.toUpperCase()}_ID=${uuid}`,
          `${pre}${name.toUpperCase()}_PASSWORD=<password>`,
          `${pre}GIT_SHA=${sha}`,
          `${pre}${name.toUpperCase()}_KEY_FILE=/etc/${w()}/${w()}.pem`,
          `${pre}${name.toUpperCase()}_SECRET=changeme`,
        ][choice] as string,
      );
    } else {
      lines.push(
        [
          `${name}: ${w()}-${w()}`,
          `# ${w()} ${w()} ${w()}`,
          `${name}_secret: ${name}_key`,
          `id: ${uuid}`,
          `commit: ${sha}`,
          `url: https://${w()}.example.com/${w()}`,
          `${name}_token: \${{ secrets.${name.toUpperCase()} }}`,
          `${name}_password: <password>`,
        ][choice] as string,
      );
    }
  }
  if (ext === 'json') return ['{', ...lines, `  "end": ${i}`, '}'];
  if (ext === 'sh') return ['#!/bin/sh', 'set -eu', ...lines];
  return lines;
}

/** The secret's line in each format, and the column its secret part starts at. */
function plantLine(ext: string, s: FakeSecret): string {
  if (ext === 'json') return `  "${s.name}": "${s.value}",`;
  if (ext === 'sh') return `export ${s.name}='${s.value}'`;
  if (ext === 'env') return `${s.name}=${s.value}`;
  if (ext === 'sql')
    return s.id === 'high-entropy' || s.id === 'aws-secret-access-key'
      ? `update ops.settings set ${snake(s.name)} = '${s.value}';`
      : `insert into ops.settings (name, value) values ('${s.name}', '${s.value}');`;
  if (ext === 'md') return `    ${s.name}=${s.value}`;
  return `${snake(s.name)}: "${s.value}"`;
}

function generate(root: string, n: number): { plants: Plant[]; bytes: number } {
  const exts = ['yaml', 'md', 'sql', 'json', 'sh', 'env'];
  const plants: Plant[] = [];
  let bytes = 0;
  let kind = 0;
  for (let i = 0; i < n; i++) {
    const r = rng(1000 + i);
    const ext = exts[i % exts.length] as string;
    const dir = ['ssot/generated', 'docs/generated', 'migrations/generated', 'ssot/json', 'scripts/generated', 'env'][i % exts.length] as string;
    const file = `${dir}/${String(Math.floor(i / 500)).padStart(3, '0')}/f${i}.${ext === 'env' ? 'env' : ext}`;
    const lines = filler(r, ext, i);
    if (i % PLANT_EVERY === 0) {
      const all = fakeSecrets(r);
      const at = Math.min(lines.length, 3 + Math.floor(r() * 10));
      if (kind % (all.length + 1) === all.length) {
        // The PEM block, reported at its BEGIN line.
        const pem = fakePem(r);
        const body =
          ext === 'json' ? [`  "private_key": ${JSON.stringify(pem)},`] : ext === 'sql' ? [`insert into ops.keys (pem) values ('${pem}');`] : pem.split('\n');
        lines.splice(at, 0, ...body);
        const line = lines.indexOf(body[0] as string) + 1;
        const column = (body[0] as string).indexOf('-----BEGIN') + 1;
        plants.push({ file, line, column, endColumn: column + '-----BEGIN RSA PRIVATE KEY-----'.length });
      } else {
        const s = all[kind % (all.length + 1)] as FakeSecret;
        const text = plantLine(ext, s);
        lines.splice(at, 0, text);
        const span = secretSpan(s);
        const column = text.indexOf(s.value) + span.offset + 1;
        plants.push({ file, line: at + 1, column, endColumn: column + span.length });
      }
      kind++;
    }
    const text = `${lines.join('\n')}\n`;
    const abs = path.join(root, file);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
    bytes += Buffer.byteLength(text);
  }
  return { plants, bytes };
}

function copyRepository(root: string): number {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: ENGINE, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of files) {
    const to = path.join(root, f);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(ENGINE, f), to);
  }
  return files.length;
}

interface Reported {
  file: string;
  line: number;
  column: number;
  endColumn: number;
  policy: string;
  severity: string;
  /** Set on a finding an inline allow or a waiver accepts (the repository's own made-up test tokens). */
  suppressed?: unknown;
}

function measure(root: string): { seconds: number; maxRssMiB: number; findings: Reported[] } {
  const out = path.join(os.tmpdir(), `secrets-bench-${process.pid}.json`);
  const r = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      '%e %M',
      process.execPath,
      '--import',
      'tsx',
      path.join(ENGINE, 'gates/cli.ts'),
      'check',
      '--only',
      'secrets/no-values',
      '--root',
      root,
      '--artifacts',
      path.join(os.tmpdir(), `secrets-bench-artifacts-${process.pid}`),
      '--format',
      `json:${out}`,
    ],
    { cwd: ENGINE, encoding: 'utf8' },
  );
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [secs, kib] = last.split(' ').map(Number);
  const report = JSON.parse(fs.readFileSync(out, 'utf8')) as { findings: Reported[] };
  fs.rmSync(out, { force: true });
  return { seconds: secs ?? NaN, maxRssMiB: (kib ?? NaN) / 1024, findings: report.findings };
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-secrets-bench-'));
try {
  const repoFiles = copyRepository(root);
  const { plants, bytes } = generate(root, N);
  console.log(
    `secrets/no-values on this repository (${repoFiles} files) + ${N.toLocaleString('en-US')} generated files (${(bytes / 1e6).toFixed(1)} MB, ${plants.length} planted secrets; ${os.cpus().length} cores, node ${process.version})`,
  );

  // The detection pass alone, in process: read every generated file and scan it.
  // The files the gate sees (fixtures are tiny repositories of their own, not searched).
  const all = (fs.readdirSync(root, { recursive: true }) as string[])
    .filter((f) => !f.split(path.sep).includes('__fixtures__'))
    .map((f) => path.join(root, f))
    .filter((f) => fs.statSync(f).isFile());
  const texts = all.map((f) => [f, fs.readFileSync(f, 'utf8')] as const);
  let hits = 0;
  const t0 = performance.now();
  for (const [f, t] of texts) hits += scan(f, t).length;
  const scanMs = performance.now() - t0;
  const mb = texts.reduce((n, [, t]) => n + Buffer.byteLength(t), 0) / 1e6;

  measure(root); // warm the tsx transform cache and the page cache
  const runs = [measure(root), measure(root), measure(root)];
  const best = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const key = (p: { file: string; line: number; column: number; endColumn: number }) => `${p.file}:${p.line}:${p.column}-${p.endColumn}`;
  const reported = new Set(best.findings.filter((f) => f.policy === 'secrets/no-values' && f.severity === 'error' && !f.suppressed).map(key));
  const planted = new Set(plants.map(key));
  const missed = [...planted].filter((k) => !reported.has(k));
  const extra = [...reported].filter((k) => !planted.has(k));

  console.log(
    `  whole process (gates check --only secrets/no-values): ${best.seconds.toFixed(2)} s best of 3 (${runs.map((r) => r.seconds.toFixed(2)).join(', ')}), peak RSS ${best.maxRssMiB.toFixed(0)} MiB`,
  );
  console.log(
    `  detection pass alone: ${scanMs.toFixed(0)} ms for ${mb.toFixed(1)} MB in ${texts.length} files (${(mb / (scanMs / 1000)).toFixed(0)} MB/s), ${hits} hits`,
  );
  console.log(`  planted secrets found at their exact line and column: ${planted.size - missed.length}/${planted.size}; other findings: ${extra.length}`);
  for (const m of missed.slice(0, 10)) console.log(`    missed ${m}`);
  for (const x of extra.slice(0, 10)) console.log(`    extra  ${x}`);
  console.log(
    `  reference: gitleaks default config has ${GITLEAKS_RULES} rules (config/gitleaks.toml @ 009e025); this gate has ${KIND_IDS.length} kinds for this platform's providers — the docs page (docs/policies/secrets/no-values.md) tables which formats each covers. gitleaks is not installed here, so its time is not measured.`,
  );
  if (missed.length || extra.length) process.exitCode = 1;
} finally {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(path.join(os.tmpdir(), `secrets-bench-artifacts-${process.pid}`), { recursive: true, force: true });
}
