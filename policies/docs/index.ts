import contracts from './contracts.ts';
import links from './links.ts';
import parityDrift from './parity-drift.ts';
import runbooks from './runbooks.ts';

export default [contracts, links, parityDrift, runbooks];
