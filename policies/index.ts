import type { Policy } from '../gates/core/policy.ts';
import files from './files/index.ts';
import ssot from './ssot/index.ts';

/** Every policy of the engine. Each area keeps its own index; a meta-test checks nothing is left out. */
export const policies: readonly Policy[] = [...files, ...ssot].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
