import { INSTALLED_STATES, type StatusLine } from './status.ts';
import { WAVES_FILE } from '../core/ssot-files.ts';
import { appsEvidence, ocaEvidence, type Waves } from './waves.ts';

/** `module-diff-<env>.json` (schemas/artifacts/module-diff.schema.json). */
export interface ModuleDiff {
  env: string;
  odoo_series: string;
  status_file: string;
  waves_file: string;
  summary: { allowlisted: number; installed: number; missing: number; outside_waves: number; core: number };
  waves: Array<{
    wave: number;
    title: string;
    source: string;
    installed: Array<{ name: string; repository: string; state: string; version: string | null; status_line: number; source: string; evidence: string }>;
    missing: Array<{ name: string; repository: string; source: string; evidence: string }>;
  }>;
  outside_waves: Array<{ name: string; state: string; version: string | null; status_line: number; evidence: string }>;
  core: Array<{ name: string; state: string; version: string | null; status_line: number; source: string }>;
}

/**
 * Compares an environment's installed modules with the waves: per wave, the allowlisted modules
 * installed and those missing; then the installed modules in no wave (less the core modules the
 * SSOT declares). Every module links to its evidence: its OCA folder at the Odoo series.
 */
export function moduleDiff(env: string, statusFile: string, modules: readonly StatusLine[], waves: Waves): ModuleDiff {
  const installed = new Map(modules.filter((m) => INSTALLED_STATES.includes(m.state)).map((m) => [m.name, m]));
  const out: ModuleDiff = {
    env,
    odoo_series: waves.series,
    status_file: statusFile,
    waves_file: WAVES_FILE,
    summary: { allowlisted: 0, installed: 0, missing: 0, outside_waves: 0, core: 0 },
    waves: [],
    outside_waves: [],
    core: [],
  };
  for (const w of waves.waves) {
    const entry: ModuleDiff['waves'][number] = { wave: w.wave, title: w.title, source: w.source, installed: [], missing: [] };
    for (const m of w.modules) {
      out.summary.allowlisted++;
      const evidence = ocaEvidence(m.repository, m.name, waves.series);
      const s = installed.get(m.name);
      if (s)
        entry.installed.push({ name: m.name, repository: m.repository, state: s.state, version: s.version, status_line: s.line, source: m.source, evidence });
      else entry.missing.push({ name: m.name, repository: m.repository, source: m.source, evidence });
    }
    out.summary.installed += entry.installed.length;
    out.summary.missing += entry.missing.length;
    out.waves.push(entry);
  }
  for (const s of installed.values()) {
    if (waves.byName.has(s.name)) continue;
    const core = waves.core.get(s.name);
    if (core) out.core.push({ name: s.name, state: s.state, version: s.version, status_line: s.line, source: core });
    else out.outside_waves.push({ name: s.name, state: s.state, version: s.version, status_line: s.line, evidence: appsEvidence(s.name, waves.series) });
  }
  out.summary.outside_waves = out.outside_waves.length;
  out.summary.core = out.core.length;
  return out;
}
