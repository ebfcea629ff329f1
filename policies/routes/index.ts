import type { Policy } from '../../gates/core/policy.ts';
import buildManifest from './build-manifest.ts';
import navCoverage from './nav-coverage.ts';

const area: Policy[] = [buildManifest, navCoverage];

export default area;
