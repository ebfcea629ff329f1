import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGates, type GateResult } from '../gates/core/run.ts';
import { reporters } from '../gates/reporters/index.ts';
import { runPolicyOn } from '../gates/testing/fixtures.ts';
import { entropy, isPlaceholder, KIND_IDS, looksLikeSecretValue, snake, tokenShapes } from '../policies/secrets/_lib/detect.ts';
import { fakePem, fakeSecrets, jwt, pick, rng, secretSpan, type FakeSecret } from '../policies/secrets/_lib/fake.ts';
import noValues from '../policies/secrets/no-values.ts';
import { useTrees } from './helpers/tree.ts';

const tree = useTrees();

const REGISTRY = `version: 1
secrets:
${[
  'github_token',
  'digitalocean_token',
  'mailgun_api_key',
  'mailgun_signing_key',
  'supabase_service_role_key',
  'vercel_token',
  'stripe_secret_key',
  'slack_webhook_url',
  'odoo_admin_password',
  'odoo_db_password',
]
  .map((n) => `  ${n}:\n    purpose: test\n`)
  .join('')}`;

/** Assignment-only kinds need the name on the line; token kinds are found anywhere. */
const BY_NAME = new Set(['high-entropy', 'aws-secret-access-key']);

interface Format {
  file: string;
  render(secrets: FakeSecret[], pem: string): string;
}

const FORMATS: Format[] = [
  {
    file: 'ssot/providers/leaky.yaml',
    render: (s, pem) =>
      `version: 1\n# generated\nsettings:\n${s.map((x) => `  ${snake(x.name)}: "${x.value}"\n`).join('')}  tls:\n    private_key: |\n      ${pem.split('\n').join('\n      ')}\n`,
  },
  {
    file: 'docs/ops/runbooks/leaky.md',
    render: (s, pem) =>
      `# Rotating keys\n\nSet these in the shell:\n\n\`\`\`sh\n${s.map((x) => `${x.name}='${x.value}'\n`).join('')}\`\`\`\n\nThe key file:\n\n\`\`\`\n${pem}\n\`\`\`\n`,
  },
  {
    file: 'migrations/20260301000099_seed_settings.sql',
    render: (s, pem) =>
      `-- seed the settings\n${s
        .map((x) =>
          BY_NAME.has(x.id)
            ? `update ops.settings set ${snake(x.name)} = '${x.value}';\n`
            : `insert into ops.settings (name, value) values ('${x.name}', '${x.value}');\n`,
        )
        .join('')}insert into ops.keys (pem) values ('${pem}');\n`,
  },
  {
    file: 'ssot/console/leaky.json',
    render: (s, pem) => `{\n${s.map((x) => `  "${x.name}": "${x.value}",\n`).join('')}  "private_key": ${JSON.stringify(pem)}\n}\n`,
  },
  {
    file: 'scripts/leaky.sh',
    render: (s, pem) => `#!/bin/sh\nset -eu\n${s.map((x) => `export ${x.name}='${x.value}'\n`).join('')}cat > key.pem <<'EOF'\n${pem}\nEOF\n`,
  },
];

/** 1-based line and column of a UTF-16 index (the generated files are ASCII). */
function place(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - before.lastIndexOf('\n') };
}

interface Expected {
  file: string;
  line: number;
  column: number;
  endColumn: number;
  id: string;
  name: string;
  secret: string;
}

function expectedFor(file: string, text: string, secrets: FakeSecret[]): Expected[] {
  const out: Expected[] = [];
  for (const s of secrets) {
    const at = text.indexOf(s.value);
    expect(at, `${s.name} is in ${file}`).toBeGreaterThanOrEqual(0);
    const span = secretSpan(s);
    const p = place(text, at + span.offset);
    out.push({ file, ...p, endColumn: p.column + span.length, id: s.id, name: s.name, secret: s.value.slice(span.offset, span.offset + span.length) });
  }
  const pemAt = text.indexOf('-----BEGIN RSA PRIVATE KEY-----');
  const p = place(text, pemAt);
  out.push({ file, ...p, endColumn: p.column + '-----BEGIN RSA PRIVATE KEY-----'.length, id: 'private-key', name: 'PEM', secret: '' });
  return out;
}

async function run(root: string, extra: Partial<Parameters<typeof runGates>[0]> = {}): Promise<GateResult> {
  const artifactsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-artifacts-'));
  try {
    return await runGates({ root, artifactsDir, policies: [noValues], ...extra });
  } finally {
    fs.rmSync(artifactsDir, { recursive: true, force: true });
  }
}

describe('secrets/no-values finds every kind in every file format', () => {
  const r = rng(18);
  const secrets = fakeSecrets(r);
  const pem = fakePem(r);
  const files: Record<string, string> = { 'ssot/secrets/registry.yaml': REGISTRY };
  const expected: Expected[] = [];
  for (const f of FORMATS) {
    files[f.file] = f.render(secrets, pem);
    expected.push(...expectedFor(f.file, files[f.file] as string, secrets));
  }
  const root = tree(files);
  const result = run(root);

  it.each(FORMATS.flatMap((f) => [...secrets.map((s) => [f.file, s.id, s.name] as const), [f.file, 'private-key', 'PEM'] as const]))(
    '%s: %s (%s) at its exact line and column',
    async (file, id, name) => {
      const { findings } = await result;
      const e = expected.find((x) => x.file === file && x.name === name) as Expected;
      expect(e.id).toBe(id);
      const got = findings.filter((f) => f.file === file && f.line === e.line && f.column === e.column);
      expect(got.map((f) => ({ endLine: f.endLine, endColumn: f.endColumn, severity: f.severity, messageId: f.messageId }))).toEqual([
        { endLine: e.line, endColumn: e.endColumn, severity: 'error', messageId: expect.stringMatching(/^secret-value/) },
      ]);
    },
  );

  it('has an example of every kind the policy reports', () => {
    expect([...new Set([...secrets.map((s) => s.id), 'private-key'])].sort()).toEqual([...new Set(KIND_IDS)].sort());
  });

  it('reports nothing else', async () => {
    const { findings } = await result;
    const where = (f: { file: string; line: number; column: number }) => `${f.file}:${f.line}:${f.column}`;
    expect(findings.map(where).sort()).toEqual(expected.map(where).sort());
  });

  it('names the registry entry that should hold each secret', async () => {
    const { findings } = await result;
    const entryOf = (file: string, name: string) => {
      const e = expected.find((x) => x.file === file && x.name === name) as Expected;
      return findings.find((f) => f.file === file && f.line === e.line && f.column === e.column)?.data?.entry;
    };
    for (const f of FORMATS) {
      expect(entryOf(f.file, 'GITHUB_TOKEN')).toBe('github_token');
      expect(entryOf(f.file, 'GH_OAUTH')).toBe('github_token');
      expect(entryOf(f.file, 'DO_REFRESH_TOKEN')).toBe('digitalocean_token');
      expect(entryOf(f.file, 'MAILGUN_API_KEY')).toBe('mailgun_api_key');
      expect(entryOf(f.file, 'MAILGUN_PRIVATE_KEY')).toBe('mailgun_api_key');
      expect(entryOf(f.file, 'MAILGUN_WEBHOOK_SIGNING_KEY')).toBe('mailgun_signing_key');
      expect(entryOf(f.file, 'SUPABASE_SERVICE_ROLE_KEY')).toBe('supabase_service_role_key');
      expect(entryOf(f.file, 'ODOO_DATABASE_URL')).toBe('odoo_db_password');
      expect(entryOf(f.file, 'VERCEL_TOKEN')).toBe('vercel_token');
      expect(entryOf(f.file, 'STRIPE_SECRET_KEY')).toBe('stripe_secret_key');
      expect(entryOf(f.file, 'SLACK_WEBHOOK_URL')).toBe('slack_webhook_url');
      expect(entryOf(f.file, 'ODOO_ADMIN_PASSWORD')).toBe('odoo_admin_password');
      expect(entryOf(f.file, 'AWS_ACCESS_KEY_ID')).toBe('aws_access_key_id');
    }
    const gh = findings.find((f) => f.data?.entry === 'github_token');
    expect(gh?.messageId).toBe('secret-value');
    const aws = findings.find((f) => f.data?.entry === 'aws_access_key_id');
    expect(aws?.messageId).toBe('secret-value-unregistered');
    expect(aws?.message).toMatch(/register it as `aws_access_key_id` in ssot\/secrets\/registry\.yaml/);
  });

  it('never prints a value, only a masked prefix, in any output format', async () => {
    const res = await result;
    const outputs = Object.entries(reporters).map(([name, rep]) => [name, rep(res, { color: false, annotate: 'all' })] as const);
    const values = [...secrets.map((s) => s.value.slice(secretSpan(s).offset, secretSpan(s).offset + secretSpan(s).length)), ...pem.split('\n').slice(1, -1)];
    for (const [name, text] of outputs) {
      expect(text.length, name).toBeGreaterThan(0);
      for (const v of values) {
        // The longest prefix any message may show is a vendor prefix (`github_pat_`, `hooks.slack.com/`): nothing after it.
        const tail = v.slice(16);
        for (let i = 0; i + 8 <= tail.length; i += 4) expect(text, `${name} leaks part of a secret`).not.toContain(tail.slice(i, i + 8));
      }
    }
    const gh = res.findings.find((f) => f.data?.entry === 'github_token' && f.file.endsWith('.sh'));
    expect(gh?.data?.masked).toBe('ghp_…');
    expect(gh?.message).toMatch(/^GitHub token written here \(`ghp_…`, 40 characters\): rotate it at the provider/);
    const pw = res.findings.find((f) => f.data?.entry === 'odoo_db_password');
    expect(pw?.data?.masked).toBe('…');
  });
});

describe('what is not a secret', () => {
  const placeholders = `# placeholders and published fakes
GITHUB_TOKEN=<token>
GITHUB_TOKEN: \${{ secrets.GITHUB_TOKEN }}
MAILGUN_API_KEY=changeme
MAILGUN_API_KEY=key-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
DIGITALOCEAN_TOKEN=dop_v1_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX
JWT=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c
DATABASE_URL=postgres://odoo:\${ODOO_DB_PASSWORD}@db.example.com:25060/odoo
DATABASE_URL=postgres://postgres:postgres@localhost:54322/postgres
SMTP_PASSWORD=********
STRIPE_SECRET_KEY=sk_live_...
password: your-password-here
`;
  const names = `# names, paths, URLs, ids and hashes under secret-like names
api_key_secret: mailgun_api_key
signing_key: MAILGUN_SIGNING_KEY
token_file: /var/run/secrets/kubernetes.io/serviceaccount/token
token_path: docs/ops/runbooks/rotate-github-token.md
secret_url: https://vault.example.com/v1/secret/data/mailgun
access_token: 3f0c2c1e-7d4b-4e8e-9a57-1c2d3e4f5a6b
deploy_token_sha: 9fceb02d0ae598e95dc970b74767f19372d61af8
secret_hash: 3b0f1c0d9a8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a
password_secret: mailgun_smtp_password
token: \${SUPABASE_ACCESS_TOKEN}
api_key: process.env.MAILGUN_API_KEY
the-secret-handshake-of-kebab-case-words: nothing-to-see-here-just-words
`;
  const lock = `{"packages": {"node_modules/x": {"integrity": "sha512-${'A'.repeat(10)}kZ9q2Vb8XyPq3LmN0oR7sT1uW4vY6zB5cD8eF0gH2iJ4kL6mN8oP0qR2sT4uV6wX8yZ=="}}}\n`;

  it('reports no placeholder, provider example, name, path, URL, UUID, git SHA or lockfile hash', async () => {
    const root = tree({ '.env.example': placeholders, 'ssot/names.yaml': names, 'package-lock.json': lock });
    const { caseLines, internalErrors } = await runPolicyOn(noValues, root);
    expect(internalErrors).toBe(0);
    expect(caseLines).toEqual([]);
  });

  it('keeps the recognisers honest', () => {
    expect(entropy('aaaa')).toBe(0);
    expect(entropy('abab')).toBe(1);
    expect(entropy('abcd')).toBe(2);
    for (const p of ['${MAILGUN_API_KEY}', '$TOKEN', '<token>', '{password}', '${{ secrets.X }}', 'xxxxxxxx', '****', 'changeme', 'AKIAIOSFODNN7EXAMPLE'])
      expect(isPlaceholder(p), p).toBe(true);
    expect(isPlaceholder('hunter2')).toBe(false);
    const r = rng(7);
    expect(looksLikeSecretValue(pick(r, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 40))).toBe(true);
    expect(looksLikeSecretValue('supabase_service_role_key_for_the_runners')).toBe(false);
    expect(looksLikeSecretValue('SUPABASE_SERVICE_ROLE_KEY')).toBe(false);
    expect(looksLikeSecretValue(pick(r, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 19))).toBe(false);
    expect(looksLikeSecretValue('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')).toBe(false);
    expect(looksLikeSecretValue('https://grafana.example.com/d/abc123XYZ')).toBe(false);
    expect(looksLikeSecretValue('AuthenticationMD5Password')).toBe(false);
    expect(looksLikeSecretValue('process.env.MAILGUN_API_KEY')).toBe(false);
    // A GitHub OAuth app's client secret is 40 hex digits: the name, not the shape, tells it from a git SHA.
    expect(looksLikeSecretValue(pick(r, '0123456789abcdef', 40))).toBe(true);
  });

  it('spans a token inside a line exactly, and only the password of a URL', () => {
    const r = rng(3);
    const token = `ghp_${pick(r, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 36)}`;
    const line = `Authorization: Bearer ${token}.`;
    const [hit] = tokenShapes(line);
    expect(line.slice(hit?.start, hit?.end)).toBe(token);
    const pw = pick(r, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 16);
    const url = `psql postgres://odoo:${pw}@db:5432/odoo postgres://odoo:\${PGPASSWORD}@db/odoo`;
    expect(tokenShapes(url).map((h) => url.slice(h.start, h.end))).toEqual([pw]);
  });

  it('finds the Mailgun classic key of a runbook, which is no kebab-case name', () => {
    // The shape of the issue's example: `key-` and 32 lowercase letters and digits, not only hex.
    const key = `key-${pick(rng(5), 'abcdefghijklmnopqrstuvwxyz0123456789', 32)}`;
    expect(tokenShapes(`MAILGUN_API_KEY=${key}`).map((h) => h.id)).toEqual(['mailgun-api-key']);
    expect(tokenShapes('see key-rotation-and-revocation-procedure-for-mailgun')).toEqual([]);
  });

  it('tells a Supabase service_role key from the public anon key', () => {
    const r = rng(9);
    const service = jwt(r, { iss: 'supabase', role: 'service_role' });
    const anon = jwt(r, { iss: 'supabase', role: 'anon' });
    expect(tokenShapes(`${service}\n${anon}`).map((h) => h.id)).toEqual(['supabase-service-role-key']);
  });
});

describe('files that cannot be searched', () => {
  it('says so with a notice instead of passing them silently', async () => {
    const root = tree({
      'docs/logo.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]),
      'docs/latin1.txt': new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]),
      // files/yaml-wellformed reports an unreadable YAML file as an error; it is not said twice.
      'ssot/latin1.yaml': new Uint8Array([0x61, 0x3a, 0x20, 0xe9, 0x0a]),
    });
    const { caseLines } = await runPolicyOn(noValues, root);
    expect(caseLines).toEqual([
      'docs/latin1.txt:1:1-1:1 notice not-scanned {"reason":"file is not valid UTF-8 (byte 0xe9 at offset 3); save it as UTF-8"}',
      'docs/logo.png:1:1-1:1 notice not-scanned {"reason":"file is binary (a NUL byte at offset 4); a text file is expected"}',
    ]);
  });
});

describe('pull-request mode', () => {
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' },
    });

  it('searches only the lines the change adds; a full run searches everything', async () => {
    const r = rng(11);
    const old = `ghp_${pick(r, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 36)}`;
    const added = `dop_v1_${pick(r, '0123456789abcdef', 64)}`;
    const root = tree({ 'docs/runbook.md': `# Runbook\n\nold: ${old}\n`, 'scripts/other.sh': `echo ${old}\n` });
    git(root, 'init', '-q', '-b', 'main');
    fs.writeFileSync(path.join(root, 'docs/logo.png'), new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', 'base');
    git(root, 'checkout', '-qb', 'change');
    fs.appendFileSync(path.join(root, 'docs/runbook.md'), `\nnew: ${added}\n`);
    fs.writeFileSync(path.join(root, 'docs/new.md'), `first: ${old}\n`);
    fs.writeFileSync(path.join(root, 'docs/logo.png'), new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]));
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', 'change');

    const pr = await run(root, { base: 'main', changedFiles: ['docs/logo.png', 'docs/new.md', 'docs/runbook.md'] });
    expect(pr.findings.map((f) => `${f.file}:${f.line}:${f.column} ${typeof f.data?.kind === 'string' ? f.data.kind : (f.messageId ?? f.message)}`)).toEqual([
      'docs/logo.png:1:1 not-scanned',
      'docs/new.md:1:8 GitHub token',
      'docs/runbook.md:5:6 DigitalOcean token',
    ]);
    const full = await run(root);
    expect(full.findings.map((f) => `${f.file}:${f.line}`)).toEqual([
      'docs/logo.png:1',
      'docs/new.md:1',
      'docs/runbook.md:3',
      'docs/runbook.md:5',
      'scripts/other.sh:1',
    ]);
  });
});

describe('the repository itself', () => {
  it('holds no secret values; a made-up one in a test carries an inline allow with its reason', async () => {
    const res = await run(path.resolve(__dirname, '..'));
    expect(res.findings.filter((f) => !f.suppressed).map((f) => `${f.file}:${f.line}:${f.column} ${f.message}`)).toEqual([]);
    for (const f of res.findings) expect(f.suppressed?.kind, `${f.file}:${f.line}`).toBe('inline');
    expect(res.summary).toEqual(expect.objectContaining({ errors: 0, warnings: 0, notices: 0 }));
  });
});

describe('fingerprints of secret findings', () => {
  it('never hash the secret itself: a different value at the same place keeps the fingerprint', async () => {
    const text = (password: string) => `# Database\n\n\`\`\`sh\nexport DATABASE_URL='postgres://app:${password}@db.internal:5432/app'\n\`\`\`\n`;
    const one = await run(tree({ 'docs/db.md': text('hunter2-Weak') }));
    const two = await run(tree({ 'docs/db.md': text('Zq8-Other-Pass') }));
    expect(one.findings).toHaveLength(1);
    expect(two.findings).toHaveLength(1);
    expect(one.findings[0]?.fingerprint).toBe(two.findings[0]?.fingerprint);
    // Moving the line keeps it too; the identity is the kind and its occurrence in the file.
    const moved = await run(tree({ 'docs/db.md': `# Intro\n\nMore text.\n\n${text('hunter2-Weak')}` }));
    expect(moved.findings[0]?.fingerprint).toBe(one.findings[0]?.fingerprint);
  });
});
