import { pointerOf } from '../../gates/core/pointer.ts';
import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { SCHEMA_MAP_FILE, SchemaSet } from '../../gates/core/schema.ts';
import { blankJsonc } from '../../gates/core/text.ts';
import { locatePointer, parseYaml } from '../../gates/core/yaml.ts';

const SETTINGS = '.vscode/settings.json';

/**
 * Editors validate SSOT files while typing through `yaml.schemas` in .vscode/settings.json; it
 * must map exactly what the schema map maps, so the editor and the gate never disagree.
 */
export default definePolicy({
  id: 'ssot/editor-schemas',
  title: 'Editor schema mapping mirrors the schema map',
  severity: 'error',
  appliesTo: [SETTINGS, SCHEMA_MAP_FILE],
  messages: {
    'missing-settings': '{{settings}} is missing; add `yaml.schemas` mapping each schema of {{map}} so editors validate SSOT files',
    'not-json': '{{settings}} does not parse as JSON (comments and trailing commas are fine, as VS Code reads it); it must hold a `yaml.schemas` mapping',
    'no-mapping': 'no `yaml.schemas` mapping; editors will not validate SSOT files',
    'not-in-map': '{{schema}} is mapped for editors but not in {{map}}; add it there or remove it here',
    'globs-missing': 'globs for {{schema}} differ from {{map}}: missing {{missing}}',
    'globs-extra': 'globs for {{schema}} differ from {{map}}: extra {{extra}}',
    'globs-differ': 'globs for {{schema}} differ from {{map}}: missing {{missing}}; extra {{extra}}',
    'not-in-settings': '{{schema}} is not in {{settings}} `yaml.schemas`; editors will not validate {{files}}',
  },
  check(ctx) {
    const schemas = SchemaSet.of(ctx);
    if (schemas.map.length === 0) return [];
    const out: PolicyFinding[] = [];
    if (!ctx.exists(SETTINGS)) {
      return [{ file: SCHEMA_MAP_FILE, line: 1, messageId: 'missing-settings', data: { settings: SETTINGS, map: SCHEMA_MAP_FILE } }];
    }
    // VS Code reads its settings as JSON with comments: blanking them keeps every position.
    const text = ctx.text(SETTINGS);
    const y = text === undefined ? undefined : parseYaml(SETTINGS, blankJsonc(text));
    const data = y && !y.broken ? (y.values[0] as { 'yaml.schemas'?: Record<string, unknown> } | undefined) : undefined;
    if (!y || !data || typeof data !== 'object') {
      return [{ file: SETTINGS, line: 1, messageId: 'not-json', data: { settings: SETTINGS } }];
    }
    /** A place in the settings, located in the blanked text (the runner would read the comments as YAML). */
    const at = (pointer: string, where: 'key' | 'value' = 'value'): PolicyFinding & { file: string } => ({
      file: SETTINGS,
      ...locatePointer(y, pointer, { at: where }).range,
      key: `${where}:${pointer}`,
    });
    const editor = data['yaml.schemas'];
    if (!editor || typeof editor !== 'object') {
      return [{ ...at(''), messageId: 'no-mapping' }];
    }
    const wanted = new Map<string, Set<string>>();
    for (const e of schemas.map) {
      const set = wanted.get(e.schema) ?? new Set<string>();
      for (const g of e.files) set.add(g);
      wanted.set(e.schema, set);
    }
    for (const [key, globsRaw] of Object.entries(editor)) {
      const schema = key.replace(/^\.\//, '');
      const globs = new Set((Array.isArray(globsRaw) ? globsRaw : [globsRaw]).map((g) => String(g).replace(/^\.\//, '')));
      const pointer = pointerOf('yaml.schemas', key);
      const want = wanted.get(schema);
      if (!want) {
        out.push({ ...at(pointer, 'key'), messageId: 'not-in-map', data: { schema, map: SCHEMA_MAP_FILE } });
        continue;
      }
      const missing = [...want].filter((g) => !globs.has(g));
      const extra = [...globs].filter((g) => !want.has(g));
      if (missing.length || extra.length) {
        out.push({
          ...at(pointer),
          messageId: missing.length === 0 ? 'globs-extra' : extra.length === 0 ? 'globs-missing' : 'globs-differ',
          data: { schema, map: SCHEMA_MAP_FILE, ...(missing.length ? { missing: missing.join(', ') } : {}), ...(extra.length ? { extra: extra.join(', ') } : {}) },
        });
      }
    }
    const mapped = new Set(Object.keys(editor).map((k) => k.replace(/^\.\//, '')));
    for (const e of schemas.map) {
      if (!mapped.has(e.schema)) {
        out.push({ file: SCHEMA_MAP_FILE, pointer: `/${e.index}/schema`, messageId: 'not-in-settings', data: { schema: e.schema, settings: SETTINGS, files: e.files.join(', ') } });
      }
    }
    return out;
  },
});
