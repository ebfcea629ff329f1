// Measures the cross-file SSOT and secrets policies in process, parsing excluded: the real SSOT
// plus N synthetic GitHub source files and N/10 Markdown pages, each policy best of 5 runs.
// Usage: npx tsx bench/ssot-cross-file.ts [N]   (default 2000)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Repo } from '../gates/core/repo.ts';
import secrets from '../policies/secrets/index.ts';
import ssot from '../policies/ssot/index.ts';

const ENGINE = path.resolve(import.meta.dirname, '..');
const n = Number(process.argv[2] ?? 2000);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cross-file-'));
try {
  fs.cpSync(path.join(ENGINE, 'ssot'), path.join(root, 'ssot'), { recursive: true });
  fs.cpSync(path.join(ENGINE, 'schemas'), path.join(root, 'schemas'), { recursive: true });
  fs.mkdirSync(path.join(root, 'docs', 'pages'), { recursive: true });
  for (let i = 0; i < n; i++) {
    fs.writeFileSync(
      path.join(root, 'ssot', 'sources', 'github', `source_${i}.yaml`),
      `version: 1\nrepository: vercel/examples\nbranch: main\ninclude: ["starter/*"]\n` +
        `metadata: {file: README.md, title: name, framework: framework, tags: [useCase]}\n` +
        `deploy_button: "https://vercel.com/new/clone?repository-url={repository_url}&project-name={slug}"\n` +
        `target_table: ops.starters\nrunner: starters-ingest-${i}\ntoken_secret: github_token\n`,
    );
    if (i % 10 === 0) {
      fs.writeFileSync(
        path.join(root, 'docs', 'pages', `page-${i}.md`),
        `# Page ${i}\n\nExport \`GITHUB_TOKEN=\${GITHUB_TOKEN}\` and run the ingest; see https://docs.github.com/en/rest.\n`.repeat(20),
      );
    }
  }
  // Every ops table the real SSOT names, so that ssot/data-sources has migrations to read.
  const tables = [
    'run_events',
    'secret_sync_runs',
    'do_ingest_runs',
    'do_droplets',
    'do_databases',
    'do_firewalls',
    'do_actions',
    'advisor_findings',
    'mail_events',
    'starters',
  ];
  fs.mkdirSync(path.join(root, 'migrations'));
  fs.writeFileSync(path.join(root, 'migrations', '20260301000010_ops.sql'), tables.map((t) => `create table ops.${t} (id uuid primary key);\n`).join(''));
  const repo = new Repo({ root, artifactsDir: path.join(root, 'artifacts') });
  console.log(`cross-file policies on ${repo.files.length} files (${n} SSOT sources, ${Math.ceil(n / 10)} Markdown pages), parsing excluded`);
  for (const policy of [...secrets, ...ssot].filter((p) => !['ssot/schema', 'ssot/schema-coverage', 'ssot/editor-schemas'].includes(p.id))) {
    const times: number[] = [];
    let findings = 0;
    for (let run = 0; run < 5; run++) {
      const fresh = new Repo({ root, artifactsDir: path.join(root, 'artifacts') });
      for (const f of fresh.glob(['**/*.yaml', '**/*.yml'])) fresh.yaml(f);
      const t0 = performance.now();
      const outcome = await policy.check(fresh);
      findings = Array.isArray(outcome) ? outcome.length : 0;
      times.push(performance.now() - t0);
    }
    console.log(
      `${policy.id.padEnd(20)} ${Math.min(...times)
        .toFixed(1)
        .padStart(7)} ms  (findings: ${findings})`,
    );
  }
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
