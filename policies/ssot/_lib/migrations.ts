import type { RepoContext } from '../../../gates/core/repo.ts';

export interface OpsRelations {
  /** Tables and views of schema `ops` left in place after the last migration. */
  live: Set<string>;
  /** Relations created and later dropped, with the migration that drops them. */
  dropped: Map<string, string>;
}

/**
 * Relations (tables, views, materialized views) of schema `ops` that the migrations leave in
 * place, read in version order with a light scanner: comments, string literals and dollar-quoted
 * bodies are blanked out, then `create … table|view` and `drop … table|view` statements are
 * followed. Undefined when the repository has no migrations.
 */
export function opsRelations(ctx: RepoContext): OpsRelations | undefined {
  return ctx.memo('ssot/ops-relations', () => {
    const files = ctx.glob('migrations/*.sql');
    if (files.length === 0) return undefined;
    const rel = new Set<string>();
    const dropped = new Map<string, string>();
    for (const file of files) {
      const sql = ctx.text(file);
      if (sql === undefined) continue;
      const clean = blank(sql);
      const stmt =
        /\b(create|drop)\s+(?:or\s+replace\s+)?(?:(?:unlogged|temporary|temp)\s+)?(?:materialized\s+)?(?:table|view)\s+(?:if\s+(?:not\s+)?exists\s+)?((?:"[^"]+"|[a-z_][a-z0-9_$]*)\s*\.\s*(?:"[^"]+"|[a-z_][a-z0-9_$]*)(?:\s*,\s*(?:"[^"]+"|[a-z_][a-z0-9_$]*)\s*\.\s*(?:"[^"]+"|[a-z_][a-z0-9_$]*))*)/gi;
      for (let m = stmt.exec(clean); m; m = stmt.exec(clean)) {
        const verb = (m[1] ?? '').toLowerCase();
        for (const qualified of (m[2] ?? '').split(',')) {
          const [schema, table] = qualified.split('.').map(ident);
          if (schema !== 'ops' || !table) continue;
          const name = `ops.${table}`;
          if (verb === 'create') {
            rel.add(name);
            dropped.delete(name);
          } else if (rel.delete(name)) dropped.set(name, file);
        }
      }
    }
    return { live: rel, dropped };
  });
}

/** An identifier as Postgres folds it: quoted keeps its case, unquoted is lower-cased. */
function ident(s: string): string {
  const t = s.trim();
  return t.startsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t.toLowerCase();
}

/** The SQL with comments, string literals and dollar-quoted bodies replaced by spaces. */
function blank(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] as string;
    const two = sql.slice(i, i + 2);
    let end = -1;
    if (two === '--') end = indexOrEnd(sql, '\n', i);
    else if (two === '/*') end = indexOrEnd(sql, '*/', i + 2) + 2;
    else if (c === "'") {
      end = i + 1;
      while (end < sql.length && !(sql[end] === "'" && sql[end + 1] !== "'")) end += sql[end] === "'" ? 2 : 1;
      end++;
    } else if (c === '$') {
      const tag = /^\$[A-Za-z_0-9]*\$/.exec(sql.slice(i))?.[0];
      if (tag) end = indexOrEnd(sql, tag, i + tag.length) + tag.length;
    }
    if (end > i) {
      out += ' '.repeat(Math.min(end, sql.length) - i);
      i = end;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function indexOrEnd(s: string, needle: string, from: number): number {
  const k = s.indexOf(needle, from);
  return k === -1 ? s.length : k;
}
