import type { Policy } from '../../gates/core/policy.ts';

const area: Policy[] = [];

export default area;
