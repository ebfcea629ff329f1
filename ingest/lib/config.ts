import path from 'node:path';
import { Repo } from '../../gates/core/repo.ts';
import { SchemaSet } from '../../gates/core/schema.ts';
import { schemaFindings, schemaMessage } from '../../gates/core/schema-messages.ts';
import { locatePointer } from '../../gates/core/yaml.ts';
import { ENGINE_DIR } from '../../gates/core/artifacts.ts';

/** An SSOT file that cannot be used: each problem is `file:line:col message`. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`the SSOT cannot be used:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads SSOT files the way the gates do: the gates' repository model, YAML reader (exact
 * locations, duplicate keys, alias bombs) and schema set. A file that is unreadable, malformed or
 * fails its schema throws a ConfigError naming each problem's line and column.
 */
export class SsotReader {
  private readonly repo: Repo;
  private readonly schemas: SchemaSet;

  constructor(readonly root: string = ENGINE_DIR) {
    this.repo = new Repo({ root: path.resolve(root), artifactsDir: path.resolve(root, 'artifacts') });
    this.schemas = SchemaSet.of(this.repo);
  }

  load<T>(file: string): T {
    const t = this.repo.read(file);
    if (!t.ok) throw new ConfigError([`${file}: ${t.message}`]);
    const y = this.repo.yaml(file);
    if (!y) throw new ConfigError([`${file}: cannot be read`]);
    const broken = y.problems.filter((p) => p.level === 'error');
    if (broken.length) throw new ConfigError(broken.map((p) => `${file}:${p.range.line}:${p.range.column} ${p.message}`));
    const value = y.values[0];
    const { choice, problems } = this.schemas.choose(file);
    const out = problems.map((p) => `${file}:${p.line ?? 1} ${schemaMessage(p)}`);
    if (!choice) out.push(`${file}: no schema governs this file (schemas/map.yaml); it is not used unchecked`);
    else {
      const errors = this.schemas.validate(choice.schema, value);
      if (!errors) out.push(`${file}: its schema ${choice.schema} does not compile`);
      else
        for (const f of schemaFindings(file, errors)) {
          const at = f.pointer !== undefined ? locatePointer(y, f.pointer, { at: f.at }).range : { line: f.line ?? 1, column: 1 };
          out.push(`${file}:${at.line}:${at.column} ${schemaMessage(f)}`);
        }
    }
    if (out.length) throw new ConfigError(out);
    return value as T;
  }
}
