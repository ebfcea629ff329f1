// Scaffolds a policy: `npm run new-policy <area/name>` writes
//   policies/<area>/<name>.ts                     the module (a working example check to replace)
//   policies/<area>/index.ts                      its entry (the area index and policies/index.ts when the area is new)
//   docs/policies/<area>/<name>.md                the docs page, with runnable Bad and Good examples
//   policies/<area>/__fixtures__/<name>/          valid/ and one invalid case with its expected lines
//   policies/ids.ts                               the PolicyId union
// so that the meta-tests pass at once; then replace the example rule, its cases and its page.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeIds } from './policy-ids.ts';

const ID = /^([a-z0-9]+(?:-[a-z0-9]+)*)\/([a-z0-9]+(?:-[a-z0-9]+)*)$/;

const camel = (s: string): string => s.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function moduleText(id: string): string {
  return `import type { PolicyFinding } from '../../gates/core/finding.ts';
import { isRecord } from '../../gates/core/data.ts';
import { definePolicy } from '../../gates/core/policy.ts';

const FILES = 'ssot/**/*.yaml';

/**
 * TODO: what this policy keeps true, and why. The example rule below reports \`example: bad\` in an
 * SSOT file; replace it, its fixture cases and its docs page with the real rule.
 */
export default definePolicy({
  id: '${id}',
  title: 'TODO: the rule in one line',
  severity: 'error',
  appliesTo: [FILES],
  messages: {
    'bad-example': '\`example\` is {{value}}; TODO: say what to do instead',
  },
  check(ctx) {
    const out: PolicyFinding[] = [];
    for (const file of ctx.glob(FILES)) {
      const data = ctx.data(file);
      if (isRecord(data) && data.example === 'bad') out.push({ file, pointer: '/example', messageId: 'bad-example', data: { value: 'bad' } });
    }
    return out;
  },
});
`;
}

function docsText(id: string): string {
  return `# ${id}

TODO: what the policy checks, in a sentence or two.

## Why

TODO: what goes wrong without it.

## Bad

\`\`\`yaml path=ssot/example.yaml
example: bad
\`\`\`

## Good

\`\`\`yaml path=ssot/example.yaml
example: good
\`\`\`

## How to fix

TODO: the fix, step by step.
`;
}

/** Adds \`import x from './file.ts'\` and \`x\` to an index whose default export is an array literal. */
function addToIndex(file: string, name: string, spec: string, spread: boolean): void {
  const text = fs.readFileSync(file, 'utf8');
  const importLine = `import ${name} from '${spec}';`;
  const lines = text.split('\n');
  const imports = lines.map((l, i) => ({ l, i })).filter((x) => /^import \w+ from '/.test(x.l));
  const after = imports.filter((x) => x.l < importLine).at(-1);
  const at = after ? after.i + 1 : (imports[0]?.i ?? 0);
  lines.splice(at, 0, importLine);
  let out = lines.join('\n');
  const item = spread ? `...${name}` : name;
  const decl = out.search(/^(const area\b|export default \[|export const policies\b)/m);
  const open = decl === -1 ? null : /(?:=\s*|export default\s*)\[/.exec(out.slice(decl));
  const start = decl === -1 || !open ? -1 : decl + open.index + open[0].length - 1;
  const end = start === -1 ? -1 : out.indexOf(']', start);
  if (end === -1) throw new Error(`${file}: no array of policies found`);
  const items = out
    .slice(start + 1, end)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  items.push(item);
  items.sort((x, y) => x.replace(/^\.\.\./, '').localeCompare(y.replace(/^\.\.\./, '')));
  const multiline = out.slice(start + 1, end).includes('\n');
  const body = multiline ? `\n${items.map((s) => `  ${s},`).join('\n')}\n` : items.join(', ');
  out = `${out.slice(0, start + 1)}${body}${out.slice(end)}`;
  fs.writeFileSync(file, out);
}

export function newPolicy(root: string, id: string): string[] {
  const m = ID.exec(id);
  if (!m) throw new Error(`policy id must be area/kebab-name, got ${JSON.stringify(id)}`);
  const [, area = '', name = ''] = m;
  const moduleFile = path.join(root, 'policies', area, `${name}.ts`);
  if (fs.existsSync(moduleFile)) throw new Error(`${path.relative(root, moduleFile)} already exists`);
  const written: string[] = [];
  const write = (rel: string, text: string): void => {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
    written.push(rel);
  };
  write(`policies/${area}/${name}.ts`, moduleText(id));
  const areaIndex = path.join(root, 'policies', area, 'index.ts');
  if (fs.existsSync(areaIndex)) addToIndex(areaIndex, camel(name), `./${name}.ts`, false);
  else {
    fs.writeFileSync(areaIndex, `import ${camel(name)} from './${name}.ts';\n\nexport default [${camel(name)}];\n`);
    addToIndex(path.join(root, 'policies', 'index.ts'), camel(area), `./${area}/index.ts`, true);
    written.push('policies/index.ts');
  }
  written.push(`policies/${area}/index.ts`);
  write(`docs/policies/${area}/${name}.md`, docsText(id));
  const fx = `policies/${area}/__fixtures__/${name}`;
  write(`${fx}/valid/ssot/example.yaml`, 'example: good\n');
  write(`${fx}/invalid/example-is-bad/ssot/example.yaml`, 'example: bad\n');
  write(`${fx}/invalid/example-is-bad.expected`, 'ssot/example.yaml:1:10-1:13 error bad-example {"value":"bad"}\n');
  writeIds(root);
  written.push('policies/ids.ts');
  return written;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [id] = process.argv.slice(2);
  if (id === undefined) {
    process.stderr.write('usage: npm run new-policy <area/name>\n');
    process.exit(2);
  }
  try {
    const root = path.resolve(import.meta.dirname, '..');
    for (const f of newPolicy(root, id)) process.stdout.write(`wrote ${f}\n`);
    process.stdout.write(`next: replace the example rule in policies/${id}.ts, its fixture cases and docs/policies/${id}.md\n`);
  } catch (e) {
    process.stderr.write(`new-policy: ${(e as Error).message}\n`);
    process.exit(2);
  }
}
