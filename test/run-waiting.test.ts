// The runner does not wait on a check that is waiting (on the replay, say): the policies after it
// run meanwhile, and every check is settled before the afterRun policies and the result.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { definePolicy, type Policy } from '../gates/core/policy.ts';
import { runGates } from '../gates/core/run.ts';
import { useTrees } from './helpers/tree.ts';

const tree = useTrees();

function policy(id: string, check: Policy['check'], extra: Partial<Policy> = {}): Policy {
  return definePolicy({ id, title: id, severity: 'error', appliesTo: ['**'], messages: { m: '{{text}}' }, check, ...extra });
}

const finding = (text: string) => [{ file: 'a.txt', line: 1, messageId: 'm', data: { text } }];

describe('a check that waits', () => {
  it('lets the policies after it run, and is settled before the result', async () => {
    const order: string[] = [];
    let release: (v: string) => void = () => undefined;
    const gate = new Promise<string>((resolve) => (release = resolve));
    // The first check waits for something only the third one provides: run one after the other,
    // this run would never end.
    const policies = [
      policy('t/waits', async () => {
        order.push('waits: start');
        const v = await gate;
        order.push('waits: end');
        return finding(`got ${v}`);
      }),
      policy('t/plain', () => {
        order.push('plain');
        return finding('plain');
      }),
      policy('t/releases', () => {
        order.push('releases');
        release('it');
        return [];
      }),
      policy('t/after', () => [], {
        afterRun(_ctx, run) {
          order.push(`afterRun sees ${run.findings.map((f) => f.policy).join(',')}`);
          return [];
        },
      }),
    ];
    const root = tree({ 'a.txt': 'x\n' });
    const r = await runGates({ root, artifactsDir: path.join(root, 'artifacts'), policies });
    expect(order).toEqual(['waits: start', 'plain', 'releases', 'waits: end', 'afterRun sees t/plain,t/waits']);
    expect(r.findings.map((f) => `${f.policy} ${f.message}`)).toEqual(['t/plain plain', 't/waits got it']);
    // The statuses keep the policies' order; the waiting one's time runs to its result.
    expect(r.policies.map((p) => [p.id, p.status, p.findings])).toEqual([
      ['t/waits', 'ran', 1],
      ['t/plain', 'ran', 1],
      ['t/releases', 'ran', 0],
      ['t/after', 'ran', 0],
    ]);
  });

  it('records a crash or a skip of a check that ends after the next ones ran', async () => {
    const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const policies = [
      policy('t/crashes', async () => {
        await later(20);
        throw new Error('boom');
      }),
      policy('t/skips', async () => {
        await later(10);
        return { skipped: 'the replay failed at migrations/x.sql:3' };
      }),
      policy('t/plain', () => finding('plain')),
    ];
    const root = tree({ 'a.txt': 'x\n' });
    const r = await runGates({ root, artifactsDir: path.join(root, 'artifacts'), policies });
    expect(r.internalErrors).toBe(1);
    expect(r.policies.map((p) => [p.id, p.status, p.reason])).toEqual([
      ['t/crashes', 'crashed', undefined],
      ['t/skips', 'skipped', 'the replay failed at migrations/x.sql:3'],
      ['t/plain', 'ran', undefined],
    ]);
    expect(r.policies[0]?.durationMs).toBeGreaterThanOrEqual(15);
    expect(r.findings.map((f) => f.policy)).toEqual(['t/plain', 't/crashes']);
  });
});
