// Synthetic SSOT trees for benchmarks: secrets-registry files, 4 % of them with two errors each.
// Usage as a script: npx tsx bench/ssot-tree.ts DIR N
import fs from 'node:fs';
import path from 'node:path';

const ENGINE = path.resolve(import.meta.dirname, '..');
const ERROR_EVERY = 25;

/** Writes a tree of `n` secrets-registry files; returns how many errors were planted. */
export function generateSsotTree(root: string, n: number): number {
  fs.mkdirSync(path.join(root, 'schemas', 'ssot'), { recursive: true });
  fs.mkdirSync(path.join(root, '.vscode'), { recursive: true });
  fs.copyFileSync(path.join(ENGINE, 'schemas/ssot/secrets-registry.schema.json'), path.join(root, 'schemas/ssot/secrets-registry.schema.json'));
  fs.writeFileSync(path.join(root, 'schemas/map.yaml'), '- files: ssot/**/*.yaml\n  schema: schemas/ssot/secrets-registry.schema.json\n');
  fs.writeFileSync(
    path.join(root, '.vscode/settings.json'),
    JSON.stringify({ 'yaml.schemas': { 'schemas/ssot/secrets-registry.schema.json': ['ssot/**/*.yaml'] } }),
  );
  let planted = 0;
  for (let i = 0; i < n; i++) {
    const dir = path.join(root, 'ssot', `team-${i % 100}`);
    if (i < 100) fs.mkdirSync(dir, { recursive: true });
    const bad = i % ERROR_EVERY === 0;
    // Two errors per bad file: a wrong type and an unknown key.
    if (bad) planted += 2;
    fs.writeFileSync(
      path.join(dir, `registry-${i}.yaml`),
      `version: 1
secrets:
  service_${i}_api_key:
    purpose: API key of service ${i} for the nightly ingest runner.
    stores: [supabase_vault, github_actions]
    consumers: [runner-${i}]
    rotation_days: ${bad ? '"ninety"' : 90}
    environments: [prod, stage]
    ${bad ? 'ownr' : 'owner'}: team-${i % 100}
  service_${i}_signing_key:
    purpose: Webhook signing key of service ${i}.
    stores: [supabase_edge_secrets]
    consumers: [runner-${i}]
    rotation_days: 180
    environments: [prod]
`,
    );
  }
  return planted;
}

if (process.argv[1]?.endsWith('ssot-tree.ts')) {
  const [dir, n] = process.argv.slice(2);
  if (!dir || !Number(n)) {
    console.error('usage: tsx bench/ssot-tree.ts DIR N');
    process.exit(2);
  }
  console.log(`${generateSsotTree(path.resolve(dir), Number(n))} errors planted`);
}
