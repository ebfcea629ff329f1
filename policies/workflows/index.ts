import type { Policy } from '../../gates/core/policy.ts';
import actionlint from './actionlint.ts';

const area: Policy[] = [actionlint];

export default area;
