import type { ErrorObject } from 'ajv';
import type { PolicyFinding } from './finding.ts';
import { decodePointer, escapeSegment } from './pointer.ts';
import { suggest } from './suggest.ts';

/** Human path of a JSON pointer: `smtp.ports[0]`; the document root is `(root)`. */
export function humanPath(pointer: string): string {
  const segs = decodePointer(pointer);
  if (segs.length === 0) return '(root)';
  let out = '';
  for (const s of segs) {
    if (/^\d+$/.test(s)) out += `[${s}]`;
    // A key that is not a plain name (`ops.mail_events`, `a b`) is quoted so the path stays unambiguous.
    else if (!/^[A-Za-z_$][\w$-]*$/.test(s)) out += `[${JSON.stringify(s)}]`;
    else out += out === '' ? s : `.${s}`;
  }
  return out;
}

/** How a value reads in a message: `the string "x"`, `the number 3`, `a list`, `null` … */
function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'null (an empty value)';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)}`;
  if (typeof v === 'number') return Number.isInteger(v) ? `the integer ${v}` : `the number ${v}`;
  if (typeof v === 'boolean') return `the boolean ${v}`;
  if (Array.isArray(v)) return `a list of ${v.length}`;
  return 'a mapping';
}

const typeNames: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean (true or false)',
  object: 'a mapping',
  array: 'a list',
  null: 'null',
};

function list(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? `\`${v}\`` : JSON.stringify(v))).join(', ');
}

/**
 * Turns Ajv errors into findings with readable messages and JSON pointers. Composite keywords
 * (`anyOf`, `oneOf`, `if`) whose branches were already reported are dropped as noise.
 */
export function schemaFindings(file: string, errors: readonly ErrorObject[], doc = 0): PolicyFinding[] {
  const out: PolicyFinding[] = [];
  const reportedPaths = new Set(errors.filter((e) => !isComposite(e)).map((e) => e.instancePath));
  for (const e of errors) {
    if (isComposite(e) && hasChildReport(e.instancePath, reportedPaths)) continue;
    // The inner error of `propertyNames` says why; the outer one only repeats the key.
    if (e.keyword === 'propertyNames' && errors.some((x) => x.propertyName === String(e.params.propertyName))) continue;
    out.push({ file, doc, ...describe(e) });
  }
  return out;
}

function isComposite(e: ErrorObject): boolean {
  return e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if' || e.keyword === 'allOf';
}

function hasChildReport(path: string, reported: Set<string>): boolean {
  for (const p of reported) if (p === path || p.startsWith(`${path}/`)) return true;
  return false;
}

function describe(e: ErrorObject): { pointer: string; at?: 'key'; message: string; key: string } {
  const p = e.instancePath;
  const where = `\`${humanPath(p)}\``;
  const params = e.params as Record<string, unknown>;
  const key = `${e.schemaPath}:${p}`;
  if (e.propertyName !== undefined) {
    const name = e.propertyName;
    const rule = e.keyword === 'pattern' ? `must match ${String(params.pattern)}` : (e.message ?? 'is not allowed');
    return {
      pointer: `${p}/${escapeSegment(name)}`,
      at: 'key',
      key: `${key}:${name}`,
      message: `key \`${name}\` in ${where} ${rule}`,
    };
  }
  switch (e.keyword) {
    case 'type': {
      const want = String(params.type)
        .split(',')
        .map((t) => typeNames[t] ?? t)
        .join(' or ');
      return { pointer: p, key, message: `${where} must be ${want}, got ${describeValue(e.data)}` };
    }
    case 'required': {
      const missing = String(params.missingProperty);
      return {
        pointer: p,
        at: 'key',
        key: `${key}:${missing}`,
        message: `missing required key \`${missing}\` in ${p === '' ? 'the document' : where}`,
      };
    }
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const hint = suggest(extra, allowed) || (allowed.length > 0 ? ` — allowed keys: ${list(allowed)}` : '');
      const child = `${p}/${escapeSegment(extra)}`;
      return { pointer: child, at: 'key', key: `${key}:${extra}`, message: `unknown key \`${extra}\`${p === '' ? '' : ` in ${where}`}${hint}` };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]) ?? [];
      const hint =
        typeof e.data === 'string'
          ? suggest(
              e.data,
              allowed.filter((a): a is string => typeof a === 'string'),
            )
          : '';
      return {
        pointer: p,
        key,
        message: `${where} must be one of ${list(allowed)}, got ${describeValue(e.data)}${hint}`,
      };
    }
    case 'const':
      return { pointer: p, key, message: `${where} must be ${JSON.stringify(params.allowedValue)}, got ${describeValue(e.data)}` };
    case 'pattern': {
      const desc = (e.parentSchema as { description?: string } | undefined)?.description;
      return {
        pointer: p,
        key,
        message: `${where} must match ${String(params.pattern)}, got ${describeValue(e.data)}${desc ? ` (${desc})` : ''}`,
      };
    }
    case 'format':
      return { pointer: p, key, message: `${where} must be a valid ${String(params.format)}, got ${describeValue(e.data)}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { pointer: p, key, message: `${where} must be ${String(params.comparison)} ${String(params.limit)}, got ${describeValue(e.data)}` };
    case 'minLength':
    case 'maxLength':
      return {
        pointer: p,
        key,
        message: `${where} must have ${e.keyword === 'minLength' ? 'at least' : 'at most'} ${String(params.limit)} characters, got ${describeValue(e.data)}`,
      };
    case 'minItems':
    case 'maxItems':
      return {
        pointer: p,
        key,
        message: `${where} must have ${e.keyword === 'minItems' ? 'at least' : 'at most'} ${String(params.limit)} items, got ${describeValue(e.data)}`,
      };
    case 'minProperties':
      return { pointer: p, key, message: `${where} must have at least ${String(params.limit)} keys` };
    case 'uniqueItems':
      return {
        pointer: `${p}/${String(params.j)}`,
        key,
        message: `${where} must not repeat items: item ${String(params.j)} equals item ${String(params.i)}`,
      };
    case 'propertyNames':
      return {
        pointer: `${p}/${String(params.propertyName)}`,
        at: 'key',
        key,
        message: `key \`${String(params.propertyName)}\` in ${where} is not an allowed name`,
      };
    case 'dependentRequired':
      return {
        pointer: p,
        at: 'key',
        key,
        message: `${where} has \`${String(params.property)}\` so it must also have \`${String(params.missingProperty)}\``,
      };
    case 'not':
      return { pointer: p, key, message: `${where} must not match the forbidden form given by the schema` };
    default:
      return { pointer: p, key, message: `${where} ${e.message ?? 'is invalid'}` };
  }
}
