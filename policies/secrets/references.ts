import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { instead } from '../../gates/core/suggest.ts';
import { referencingSecrets, SSOT_YAML } from '../ssot/_lib/changes.ts';
import { humanPath } from '../../gates/core/schema-messages.ts';
import { REGISTRY_FILE, registrySecrets, SECRET_NAME, secretReferences } from '../_lib/ssot.ts';

/**
 * Every secret the SSOT names (`secrets`, `*_secret`, `SMTP_USER_SECRET` …) is registered by that
 * name. A reference that is not even name-shaped may be a pasted value: it is reported without
 * repeating it.
 */
export default definePolicy({
  id: 'secrets/references',
  title: 'Secrets referenced in the SSOT exist in the registry',
  severity: 'error',
  appliesTo: ['ssot/**'],
  perFile: { files: SSOT_YAML, dependents: referencingSecrets },
  check(ctx) {
    const refs = secretReferences(ctx);
    if (refs.length === 0) return [];
    const registry = registrySecrets(ctx);
    // A registry that exists but does not parse is reported by files/yaml-wellformed or ssot/schema.
    if (!registry && ctx.exists(REGISTRY_FILE)) return [];
    const names = [...(registry?.keys() ?? [])];
    const out: PolicyFinding[] = [];
    for (const r of refs) {
      if (registry?.has(r.name)) continue;
      if (!SECRET_NAME.test(r.name)) {
        out.push({
          file: r.file,
          pointer: r.pointer,
          key: `not-a-name:${r.pointer}`,
          message: `\`${humanPath(r.pointer)}\` must hold the snake_case name of a secret of ${REGISTRY_FILE}; what it holds is not a name and is not shown here — if it is a secret value, remove it and rotate the secret`,
        });
        continue;
      }
      out.push({
        file: r.file,
        pointer: r.pointer,
        key: r.name,
        message: registry
          ? `secret \`${r.name}\` is not in ${REGISTRY_FILE}${instead(r.name, names, 'secrets')} — fix the name or register the secret there`
          : `secret \`${r.name}\` is referenced but there is no ${REGISTRY_FILE}; register every secret there by name`,
      });
    }
    return out;
  },
});
