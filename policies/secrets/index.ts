import type { Policy } from '../../gates/core/policy.ts';
import consumed from './consumed.ts';
import noValues from './no-values.ts';
import references from './references.ts';

const area: Policy[] = [consumed, noValues, references];

export default area;
