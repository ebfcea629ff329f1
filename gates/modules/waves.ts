import type { RepoContext } from '../core/repo.ts';
import { locatePointer } from '../core/yaml.ts';
import { isRecord } from '../core/data.ts';

import { WAVES_FILE } from '../core/ssot-files.ts';

export interface WaveModule {
  name: string;
  repository: string;
  wave: number;
  /** `ssot/modules/waves.yaml:<line>` of the entry. */
  source: string;
}

export interface Waves {
  series: string;
  waves: Array<{ wave: number; title: string; source: string; modules: WaveModule[] }>;
  /** Odoo's own modules the SSOT allows besides the waves, with where each is declared. */
  core: Map<string, string>;
  byName: Map<string, WaveModule>;
}

/** The module waves of the SSOT, or why they cannot be read. */
export function readWaves(ctx: RepoContext): Waves | { missing: string } {
  if (!ctx.exists(WAVES_FILE)) return { missing: `${WAVES_FILE} does not exist` };
  const y = ctx.yaml(WAVES_FILE);
  const data = ctx.data(WAVES_FILE);
  if (!y || !isRecord(data) || !Array.isArray(data.waves) || typeof data.odoo_series !== 'string') {
    return { missing: `${WAVES_FILE} is unreadable or lacks odoo_series and waves (see the ssot/schema findings)` };
  }
  const at = (pointer: string) => `${WAVES_FILE}:${locatePointer(y, pointer).range.line}`;
  const out: Waves = { series: data.odoo_series, waves: [], core: new Map(), byName: new Map() };
  data.waves.forEach((w, wi) => {
    if (!isRecord(w) || typeof w.wave !== 'number' || !Array.isArray(w.modules)) return;
    const modules: WaveModule[] = [];
    w.modules.forEach((m, mi) => {
      if (!isRecord(m) || typeof m.name !== 'string' || typeof m.repository !== 'string') return;
      const entry = { name: m.name, repository: m.repository, wave: w.wave as number, source: at(`/waves/${wi}/modules/${mi}`) };
      modules.push(entry);
      if (!out.byName.has(entry.name)) out.byName.set(entry.name, entry);
    });
    out.waves.push({ wave: w.wave, title: typeof w.title === 'string' ? w.title : '', source: at(`/waves/${wi}`), modules });
  });
  if (Array.isArray(data.core_modules)) {
    data.core_modules.forEach((name, i) => {
      if (typeof name === 'string') out.core.set(name, at(`/core_modules/${i}`));
    });
  }
  return out;
}

/** The module's folder in its OCA repository, on the branch of the Odoo series. */
export function ocaEvidence(repository: string, name: string, series: string): string {
  return `https://github.com/${repository}/tree/${encodeURIComponent(series)}/${encodeURIComponent(name)}`;
}

/** Where to look up a module the waves do not name: the Odoo Apps store at the series. */
export function appsEvidence(name: string, series: string): string {
  return `https://apps.odoo.com/apps/modules/${encodeURIComponent(series)}/${encodeURIComponent(name)}/`;
}
