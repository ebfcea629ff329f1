import type { Policy } from '../../gates/core/policy.ts';
import expired from './expired.ts';
import unused from './unused.ts';

const area: Policy[] = [expired, unused];

export default area;
