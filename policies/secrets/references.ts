import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { instead } from '../ssot/_lib/hint.ts';
import { REGISTRY_FILE, registrySecrets, secretReferences } from '../ssot/_lib/model.ts';

/** Every secret the SSOT names (`secrets`, `*_secret`, `SMTP_USER_SECRET` …) is registered by that name. */
export default definePolicy({
  id: 'secrets/references',
  title: 'Secrets referenced in the SSOT exist in the registry',
  severity: 'error',
  appliesTo: ['ssot/**'],
  check(ctx) {
    const refs = secretReferences(ctx);
    if (refs.length === 0) return [];
    const registry = registrySecrets(ctx);
    const names = [...(registry?.keys() ?? [])];
    const out: PolicyFinding[] = [];
    for (const r of refs) {
      if (registry?.has(r.name)) continue;
      out.push({
        file: r.file,
        pointer: r.pointer,
        key: r.name,
        message: registry
          ? `secret \`${r.name}\` is not in ${REGISTRY_FILE}${instead(r.name, names, 'secrets')} — fix the name or register the secret there`
          : `secret \`${r.name}\` is referenced but ${REGISTRY_FILE} is missing or unreadable; register every secret there by name`,
      });
    }
    return out;
  },
});
