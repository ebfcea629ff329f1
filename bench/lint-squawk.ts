/**
 * The migrations lint side by side with squawk on a Supabase-style history
 * (`test/__fixtures__/lint-supabase-history`: a base, then a change of six files): which findings
 * both report, which only squawk and which only the lint, matched by file, line and rule.
 * Run: npx tsx bench/lint-squawk.ts
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ENGINE_DIR } from '../gates/core/artifacts.ts';
import { runPolicyOn } from '../gates/testing/fixtures.ts';
import lint from '../policies/migrations/lint.ts';

const CORPUS = path.join(ENGINE_DIR, 'test', '__fixtures__', 'lint-supabase-history');
/** squawk's rule → the lint's rule for the same problem. */
const SAME: Record<string, string> = {
  'prefer-text-field': 'prefer-text',
  'prefer-timestamp-tz': 'prefer-timestamptz',
  'prefer-identity': 'prefer-identity',
  'adding-not-nullable-field': 'set-not-null',
  'adding-required-field': 'not-null-without-default',
  'require-concurrent-index-creation': 'index-non-concurrent',
  'require-concurrent-index-deletion': 'drop-index-non-concurrent',
  'ban-concurrent-index-creation-in-transaction': 'concurrently-in-transaction',
  'constraint-missing-not-valid': 'constraint-not-valid',
  'adding-foreign-key-constraint': 'constraint-not-valid',
  'disallowed-unique-constraint': 'unique-without-index',
  'adding-serial-primary-key-field': 'unique-without-index',
  'adding-field-with-default': 'volatile-default',
  'changing-column-type': 'column-type-change',
  'ban-drop-column': 'drop-column',
  'ban-drop-table': 'drop-table',
  'renaming-column': 'rename-column',
  'renaming-table': 'rename-table',
  'transaction-nesting': 'transaction-control',
  'identifier-too-long': 'identifier-too-long',
};
/** Message ids of the lint that belong to another rule. */
const RULE_OF: Record<string, string> = {
  'validate-in-same-file': 'constraint-not-valid',
  'unqualified-ambiguous': 'unqualified-name',
  'unqualified-create': 'unqualified-name',
};

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-lint-squawk-'));
try {
  const copy = (side: string) => fs.cpSync(path.join(CORPUS, side, 'migrations'), path.join(root, 'migrations'), { recursive: true });
  copy('base');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', 'commit', '-q', '-m', 'base');
  git('tag', 'base');
  copy('head');
  const changed = fs.readdirSync(path.join(CORPUS, 'head', 'migrations')).map((f) => `migrations/${f}`);

  const ours = (await runPolicyOn(lint, root, { base: 'base' })).findings.map((f) => ({
    key: `${f.file}:${f.line}:${RULE_OF[f.messageId ?? ''] ?? f.messageId ?? '-'}`,
    text: `${f.file}:${f.line} ${f.messageId ?? '-'}`,
  }));
  const squawk = path.join(ENGINE_DIR, 'node_modules', '.bin', 'squawk');
  const version = spawnSync(squawk, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const out = spawnSync(squawk, ['--assume-in-transaction', '--pg-version=17', '--reporter', 'gcc', ...changed], { cwd: root, encoding: 'utf8' }).stdout;
  // gcc lines: `file:line:column: warning: rule message`, lines and columns from 0.
  const theirs = [...out.matchAll(/^(.+?):(\d+):(\d+): \w+: ([a-z0-9-]+) /gm)].map(([, file = '', line = '', , rule = '']) => ({
    key: `${file}:${Number(line) + 1}:${SAME[rule] ?? `squawk:${rule}`}`,
    text: `${file}:${Number(line) + 1} ${rule}`,
  }));
  const ourKeys = new Set(ours.map((o) => o.key));
  const theirKeys = new Set(theirs.map((t) => t.key));
  const both = ours.filter((o) => theirKeys.has(o.key));
  const onlyOurs = ours.filter((o) => !theirKeys.has(o.key));
  const onlySquawk = theirs.filter((t) => !ourKeys.has(t.key));
  console.log(
    `${changed.length} changed files on a ${fs.readdirSync(path.join(CORPUS, 'base', 'migrations')).length}-file base; ${version} --assume-in-transaction --pg-version=17`,
  );
  console.log(`lint ${ours.length} findings, squawk ${theirs.length}; both ${both.length}, only squawk ${onlySquawk.length}, only the lint ${onlyOurs.length}`);
  console.log('\nboth:');
  for (const o of both) console.log(`  ${o.text}`);
  console.log('\nonly squawk:');
  for (const t of onlySquawk) console.log(`  ${t.text}`);
  console.log('\nonly the lint:');
  for (const o of onlyOurs) console.log(`  ${o.text}`);
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
