import type { Policy } from '../../gates/core/policy.ts';
import apiJson from './api-json.ts';
import buildManifest from './build-manifest.ts';
import navComponent from './nav-component.ts';
import navCoverage from './nav-coverage.ts';
import pageData from './page-data.ts';
import safeJson from './safe-json.ts';

const area: Policy[] = [apiJson, buildManifest, navComponent, navCoverage, pageData, safeJson];

export default area;
