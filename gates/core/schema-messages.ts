import type { ErrorObject } from 'ajv';
import type { PolicyFinding } from './finding.ts';
import { decodePointer, escapeSegment } from './pointer.ts';
import { renderMessage } from './policy.ts';
import { closest, DID_YOU_MEAN } from './suggest.ts';

const UNKNOWN_KEY = 'unknown key `{{key}}` in `{{path}}`';
const UNKNOWN_ROOT_KEY = 'unknown key `{{key}}`';
const ENUM = '`{{path}}` must be one of {{allowed}}, got {{actual}}';
const MAP_UNKNOWN = 'schema {{schema}} does not exist';
const MODELINE_UNKNOWN = 'the modeline names schema {{target}}, which is not a schema of this repository';

/**
 * The one wording of every schema problem, as policy messages (`{{name}}` filled from a finding's
 * `data`): the errors of a document against its schema, one message per JSON Schema keyword
 * (`-at-root` when the place is the document itself), then the problems of the schemas, the schema
 * map and modelines. `path` is the place in the document as {@link humanPath} writes it, `actual`
 * the offending value as a phrase (`the string "x"`); a `-typo` message names the closest allowed
 * name as `suggestion`.
 */
export const SCHEMA_MESSAGES = {
  type: '`{{path}}` must be {{expected}}, got {{actual}}',
  required: 'missing required key `{{key}}` in `{{path}}`',
  'required-at-root': 'missing required key `{{key}}` in the document',
  'additional-properties': `${UNKNOWN_KEY} — allowed keys: {{allowed}}`,
  'additional-properties-typo': `${UNKNOWN_KEY}${DID_YOU_MEAN}`,
  'additional-properties-none-allowed': UNKNOWN_KEY,
  'additional-properties-at-root': `${UNKNOWN_ROOT_KEY} — allowed keys: {{allowed}}`,
  'additional-properties-at-root-typo': `${UNKNOWN_ROOT_KEY}${DID_YOU_MEAN}`,
  'additional-properties-at-root-none-allowed': UNKNOWN_ROOT_KEY,
  enum: ENUM,
  'enum-typo': `${ENUM}${DID_YOU_MEAN}`,
  const: '`{{path}}` must be {{expected}}, got {{actual}}',
  pattern: '`{{path}}` must match {{pattern}}, got {{actual}}',
  'pattern-described': '`{{path}}` must match {{pattern}}, got {{actual}} ({{description}})',
  format: '`{{path}}` must be a valid {{format}}, got {{actual}}',
  minimum: '`{{path}}` must be >= {{limit}}, got {{actual}}',
  maximum: '`{{path}}` must be <= {{limit}}, got {{actual}}',
  'exclusive-minimum': '`{{path}}` must be > {{limit}}, got {{actual}}',
  'exclusive-maximum': '`{{path}}` must be < {{limit}}, got {{actual}}',
  'min-length': '`{{path}}` must have at least {{limit}} characters, got {{actual}}',
  'max-length': '`{{path}}` must have at most {{limit}} characters, got {{actual}}',
  'min-items': '`{{path}}` must have at least {{limit}} items, got {{actual}}',
  'max-items': '`{{path}}` must have at most {{limit}} items, got {{actual}}',
  'min-properties': '`{{path}}` must have at least {{limit}} keys',
  'unique-items': '`{{path}}` must not repeat items: item {{j}} equals item {{i}}',
  'property-names': 'key `{{key}}` in `{{path}}` is not an allowed name',
  'property-name-pattern': 'key `{{key}}` in `{{path}}` must match {{pattern}}',
  'property-name-rule': 'key `{{key}}` in `{{path}}` {{rule}}',
  'dependent-required': '`{{path}}` has `{{property}}` so it must also have `{{missing}}`',
  not: '`{{path}}` must not match the forbidden form given by the schema',
  'other-keyword': '`{{path}}` {{rule}}',
  'schema-unreadable': 'schema cannot be read: {{reason}}',
  'schema-not-json': 'schema is not valid JSON: {{error}}',
  'schema-without-id': 'schema has no `$id`; give it a stable URL-like id',
  'schema-id-taken': 'schema `$id` {{id}} is also used by {{other}}',
  'schema-invalid': 'schema is invalid: {{error}}',
  'schema-not-compiling': 'schema does not compile: {{error}}',
  'map-not-a-list': 'the schema map must be a list of `{files, schema}` entries',
  'map-entry-incomplete': 'a map entry needs `files` (a glob or a list of globs) and `schema` (a path under schemas/)',
  'map-unknown-schema': MAP_UNKNOWN,
  'map-unknown-schema-typo': `${MAP_UNKNOWN}${DID_YOU_MEAN}`,
  'modeline-unknown-schema': MODELINE_UNKNOWN,
  'modeline-unknown-schema-typo': `${MODELINE_UNKNOWN}${DID_YOU_MEAN}`,
  'modeline-disagrees': 'the modeline names {{schema}} but {{map}} maps this file to {{mapped}}; make them agree',
} as const satisfies Record<string, string>;

export type SchemaMessageId = keyof typeof SCHEMA_MESSAGES;

/** The text of a schema finding (of {@link schemaFindings} or of the schema set), for readers outside the gate run. */
export function schemaMessage(f: PolicyFinding): string {
  if (f.messageId === undefined) return f.message ?? '';
  const template: string | undefined = (SCHEMA_MESSAGES as Record<string, string>)[f.messageId];
  return template === undefined ? f.messageId : renderMessage(template, f.data);
}

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

/** Keywords whose message is `path`, a bound and the value: their id is the keyword in kebab case. */
const LIMITS: Readonly<Record<string, SchemaMessageId>> = {
  minimum: 'minimum',
  maximum: 'maximum',
  exclusiveMinimum: 'exclusive-minimum',
  exclusiveMaximum: 'exclusive-maximum',
  minLength: 'min-length',
  maxLength: 'max-length',
  minItems: 'min-items',
  maxItems: 'max-items',
};

interface Described {
  pointer: string;
  at?: 'key';
  key: string;
  messageId: SchemaMessageId;
  data: Record<string, unknown>;
}

function describe(e: ErrorObject): Described {
  const p = e.instancePath;
  const path = humanPath(p);
  const params = e.params as Record<string, unknown>;
  const key = `${e.schemaPath}:${p}`;
  if (e.propertyName !== undefined) {
    const name = e.propertyName;
    const at = { pointer: `${p}/${escapeSegment(name)}`, at: 'key' as const, key: `${key}:${name}` };
    return e.keyword === 'pattern'
      ? { ...at, messageId: 'property-name-pattern', data: { key: name, path, pattern: String(params.pattern) } }
      : { ...at, messageId: 'property-name-rule', data: { key: name, path, rule: e.message ?? 'is not allowed' } };
  }
  const limit = LIMITS[e.keyword];
  if (limit) return { pointer: p, key, messageId: limit, data: { path, limit: params.limit, actual: describeValue(e.data) } };
  switch (e.keyword) {
    case 'type': {
      const expected = String(params.type)
        .split(',')
        .map((t) => typeNames[t] ?? t)
        .join(' or ');
      return { pointer: p, key, messageId: 'type', data: { path, expected, actual: describeValue(e.data) } };
    }
    case 'required': {
      const missing = String(params.missingProperty);
      return {
        pointer: p,
        at: 'key',
        key: `${key}:${missing}`,
        ...(p === '' ? { messageId: 'required-at-root', data: { key: missing } } : { messageId: 'required', data: { key: missing, path } }),
      };
    }
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const suggestion = closest(extra, allowed);
      const base = p === '' ? 'additional-properties-at-root' : 'additional-properties';
      const data = p === '' ? { key: extra } : { key: extra, path };
      return {
        pointer: `${p}/${escapeSegment(extra)}`,
        at: 'key',
        key: `${key}:${extra}`,
        ...(suggestion
          ? { messageId: `${base}-typo`, data: { ...data, suggestion } }
          : allowed.length > 0
            ? { messageId: base, data: { ...data, allowed: list(allowed) } }
            : { messageId: `${base}-none-allowed`, data }),
      };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]) ?? [];
      const suggestion =
        typeof e.data === 'string'
          ? closest(
              e.data,
              allowed.filter((a): a is string => typeof a === 'string'),
            )
          : undefined;
      const data = { path, allowed: list(allowed), actual: describeValue(e.data) };
      return suggestion ? { pointer: p, key, messageId: 'enum-typo', data: { ...data, suggestion } } : { pointer: p, key, messageId: 'enum', data };
    }
    case 'const':
      return { pointer: p, key, messageId: 'const', data: { path, expected: JSON.stringify(params.allowedValue), actual: describeValue(e.data) } };
    case 'pattern': {
      const description = (e.parentSchema as { description?: string } | undefined)?.description;
      const data = { path, pattern: String(params.pattern), actual: describeValue(e.data) };
      return description
        ? { pointer: p, key, messageId: 'pattern-described', data: { ...data, description } }
        : { pointer: p, key, messageId: 'pattern', data };
    }
    case 'format':
      return { pointer: p, key, messageId: 'format', data: { path, format: String(params.format), actual: describeValue(e.data) } };
    case 'minProperties':
      return { pointer: p, key, messageId: 'min-properties', data: { path, limit: params.limit } };
    case 'uniqueItems':
      return { pointer: `${p}/${String(params.j)}`, key, messageId: 'unique-items', data: { path, i: params.i, j: params.j } };
    case 'propertyNames':
      return {
        pointer: `${p}/${String(params.propertyName)}`,
        at: 'key',
        key,
        messageId: 'property-names',
        data: { key: String(params.propertyName), path },
      };
    case 'dependentRequired':
      return {
        pointer: p,
        at: 'key',
        key,
        messageId: 'dependent-required',
        data: { path, property: String(params.property), missing: String(params.missingProperty) },
      };
    case 'not':
      return { pointer: p, key, messageId: 'not', data: { path } };
    default:
      return { pointer: p, key, messageId: 'other-keyword', data: { path, keyword: e.keyword, rule: e.message ?? 'is invalid' } };
  }
}
