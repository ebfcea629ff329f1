import type { Policy } from '../../gates/core/policy.ts';
import navCoverage from './nav-coverage.ts';

const area: Policy[] = [navCoverage];

export default area;
