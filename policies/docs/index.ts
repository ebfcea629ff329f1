import contractsIndex from './contracts-index.ts';
import links from './links.ts';
import parityDrift from './parity-drift.ts';
import runbooks from './runbooks.ts';

export default [contractsIndex, links, parityDrift, runbooks];
