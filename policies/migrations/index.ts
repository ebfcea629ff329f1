import type { Policy } from '../../gates/core/policy.ts';
import catalog from './catalog.ts';
import dbContract from './db-contract.ts';
import fileNames from './file-names.ts';
import history from './history.ts';
import lint from './lint.ts';
import objectBudget from './object-budget.ts';
import replay from './replay.ts';
import seeds from './seeds.ts';
import syntax from './syntax.ts';

const area: Policy[] = [catalog, dbContract, fileNames, history, lint, objectBudget, replay, seeds, syntax];

export default area;
