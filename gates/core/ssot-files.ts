// Where each SSOT file lives (docs/ssot.md): the one list the engine, its artifacts and the
// policies name them from.
export const PLATFORM_FILE = 'ssot/platform.yaml';
export const JOBS_FILE = 'ssot/jobs.yaml';
export const MAILGUN_FILE = 'ssot/integrations/mailgun.yaml';
export const CATALOG_FILE = 'ssot/integrations/catalog.yaml';
export const REGISTRY_FILE = 'ssot/secrets/registry.yaml';
export const NAV_FILE = 'ssot/console/nav.yaml';
export const CAPABILITIES_FILE = 'ssot/capabilities.yaml';
export const OBSERVABILITY_FILE = 'ssot/observability.yaml';
export const WAVES_FILE = 'ssot/modules/waves.yaml';
export const DB_CONTRACT_FILE = 'ssot/database/contract.yaml';
export const WAIVER_FILE = 'ssot/waivers.yaml';
export const ENV_DIR = 'ssot/environments';
