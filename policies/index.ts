import type { Policy } from '../gates/core/policy.ts';
import docs from './docs/index.ts';
import files from './files/index.ts';
import mail from './mail/index.ts';
import migrations from './migrations/index.ts';
import parity from './parity/index.ts';
import routes from './routes/index.ts';
import secrets from './secrets/index.ts';
import spec from './spec/index.ts';
import ssot from './ssot/index.ts';
import waivers from './waivers/index.ts';
import workflows from './workflows/index.ts';

/** Every policy of the engine, sorted by id. Each area keeps its own index; a meta-test checks nothing is left out. */
export const policies: readonly Policy[] = [
  ...docs,
  ...files,
  ...mail,
  ...migrations,
  ...parity,
  ...routes,
  ...secrets,
  ...spec,
  ...ssot,
  ...waivers,
  ...workflows,
].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
