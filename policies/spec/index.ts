import type { Policy } from '../../gates/core/policy.ts';
import bundle from './bundle.ts';
import tasks from './tasks.ts';

const area: Policy[] = [bundle, tasks];

export default area;
