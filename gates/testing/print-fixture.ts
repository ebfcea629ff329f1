// Prints what a policy reports on its fixture trees, in the expected-file form, for writing and
// reviewing `invalid.expected`: `tsx gates/testing/print-fixture.ts <policy-id> [valid|invalid]`.
import path from 'node:path';
import { policies } from '../../policies/index.ts';
import { fixtureDir, fixtureOptions, runPolicyOn } from './fixtures.ts';

const [id, which = 'invalid'] = process.argv.slice(2);
const policy = policies.find((p) => p.id === id);
if (!policy || (which !== 'valid' && which !== 'invalid')) {
  process.stderr.write('usage: tsx gates/testing/print-fixture.ts <policy-id> [valid|invalid]\n');
  process.exit(2);
}
const { lines, internalErrors } = await runPolicyOn(policy, path.join(fixtureDir(policy.id), which), fixtureOptions(policy.id));
process.stdout.write(lines.map((l) => `${l}\n`).join(''));
if (internalErrors) process.stderr.write(`${internalErrors} internal error(s)\n`);
