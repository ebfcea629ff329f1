// Prints what a policy reports on its fixture trees, in the expected-file form, for writing and
// reviewing expected files: `tsx gates/testing/print-fixture.ts <policy-id> [valid|<case>]`.
import path from 'node:path';
import { policies } from '../../policies/index.ts';
import { fixtureDir, fixtureOptions, invalidCases, runPolicyOn } from './fixtures.ts';

const [id, which] = process.argv.slice(2);
const policy = policies.find((p) => p.id === id);
if (!policy) {
  process.stderr.write('usage: tsx gates/testing/print-fixture.ts <policy-id> [valid|<case>]\n');
  process.exit(2);
}
const targets =
  which === 'valid'
    ? [{ name: 'valid', dir: path.join(fixtureDir(policy.id), 'valid'), options: fixtureOptions(policy.id) }]
    : invalidCases(policy.id).filter((c) => which === undefined || c.name === which);
if (targets.length === 0) {
  process.stderr.write(`${policy.id} has no fixture case ${which ?? ''}\n`);
  process.exit(2);
}
for (const t of targets) {
  const { caseLines, internalErrors } = await runPolicyOn(policy, t.dir, t.options);
  if (targets.length > 1) process.stdout.write(`# ${t.name}\n`);
  process.stdout.write(caseLines.map((l) => `${l}\n`).join(''));
  if (internalErrors) process.stderr.write(`${internalErrors} internal error(s)\n`);
}
