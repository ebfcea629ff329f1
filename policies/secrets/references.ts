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
  messages: {
    'not-a-name':
      '`{{path}}` must hold the snake_case name of a secret of {{registry}}; what it holds is not a name and is not shown here — if it is a secret value, remove it and rotate the secret',
    unregistered: 'secret `{{secret}}` is not in {{registry}}{{hint}} — fix the name or register the secret there',
    'no-registry': 'secret `{{secret}}` is referenced but there is no {{registry}}; register every secret there by name',
  },
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
          messageId: 'not-a-name',
          data: { path: humanPath(r.pointer), registry: REGISTRY_FILE },
        });
        continue;
      }
      out.push({
        file: r.file,
        pointer: r.pointer,
        key: r.name,
        ...(registry
          ? { messageId: 'unregistered', data: { secret: r.name, registry: REGISTRY_FILE, hint: instead(r.name, names, 'secrets') } }
          : { messageId: 'no-registry', data: { secret: r.name, registry: REGISTRY_FILE } }),
      });
    }
    return out;
  },
});
