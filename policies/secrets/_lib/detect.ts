/**
 * Recognisers for secret *values* (never names). Pure functions: text in, spans out.
 *
 * Speed: cheap literal prefilters first — a few short needles (`gh`, `_v1_`, `eyJ`, `key-`,
 * `-----BEGIN `, `://`, …) found with `indexOf`; only where one occurs is the detector's own
 * sticky regex tried, once. Mailgun's hex keys have no literal anchor: their rare
 * `-8hex-8hex` tail is searched first. Assignments are searched only on the lines that hold a
 * secret-like word (`pass`, `secret`, `token`, `key`, …), and name/value pairs only around `value`.
 */

export interface Hit {
  /** Stable id of the detector, kebab-case (`github-token`). */
  id: string;
  /** What was found, for the message (never the value). */
  kind: string;
  /** The registry entry that should hold such a secret, before looking at the line's own name. */
  entry: string;
  /** UTF-16 index of the value in the scanned string, and its end. */
  start: number;
  end: number;
  /** How many leading characters of the value may be shown (a vendor's fixed prefix). */
  shown: number;
}

interface Detector {
  id: string;
  kind: string;
  entry: string;
  /** Literals that start every match. */
  anchors: readonly string[];
  /** Sticky regex tried at the anchor (or at `begin`'s result). */
  re: RegExp;
  /** The vendor prefix length shown in masks (default: the anchor's length). */
  shown?: number;
  /** Where the match starts, given the anchor's index (default: the anchor itself). */
  begin?(text: string, at: number): number;
  /** Refines or rejects a match: return the hit's fields to change, or false. */
  accept?(m: RegExpExecArray, text: string): Partial<Hit> | false;
}

const WORD = /[A-Za-z0-9_]/;

/** True when the character before `at` does not continue a word (so `xghp_…` is no token). */
function boundaryBefore(text: string, at: number, extra = ''): boolean {
  if (at === 0) return true;
  const c = text[at - 1] as string;
  return !WORD.test(c) && !extra.includes(c);
}

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  let n = 0;
  for (const ch of s) {
    counts.set(ch, (counts.get(ch) ?? 0) + 1);
    n++;
  }
  let h = 0;
  for (const c of counts.values()) {
    const p = c / n;
    h -= p * Math.log2(p);
  }
  return h;
}

/** The random part of a token must look random: `ghp_000…`, `key-aaaa…` are examples, not keys. */
function randomEnough(body: string, min = 3): boolean {
  return entropy(body) >= min && !isPlaceholder(body);
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `bar` in `foo:bar@`, `somepassword`, `pass123`: samples in docs, not credentials. */
function samplePassword(p: string): boolean {
  // A real password in a URL is percent-encoded; `\u…` escapes are a string in code.
  return p.length < 6 || p.includes('\\') || /^(some|my|your|the|db|app|user|admin|test)?[_-]?(pass(word)?|passwd|pwd|pw|secret)[_-]?\d{0,4}$/i.test(p);
}

const LOCAL_HOST = /^(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\]|host\.docker\.internal)(:\d+)?$/i;

const DETECTORS: readonly Detector[] = [
  {
    id: 'digitalocean-token',
    kind: 'DigitalOcean token',
    entry: 'digitalocean_token',
    anchors: ['dop_v1_', 'doo_v1_', 'dor_v1_'],
    re: /do[opr]_v1_([0-9a-f]{64})(?![A-Za-z0-9_])/y,
    accept: (m) => randomEnough(m[1] ?? '') && {},
  },
  {
    id: 'github-token',
    kind: 'GitHub token',
    entry: 'github_token',
    anchors: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    re: /gh[pousr]_([A-Za-z0-9]{36})(?![A-Za-z0-9_])/y,
    accept: (m) => randomEnough(m[1] ?? '') && {},
  },
  {
    id: 'github-fine-grained-token',
    kind: 'GitHub fine-grained token',
    entry: 'github_token',
    anchors: ['github_pat_'],
    re: /github_pat_([A-Za-z0-9]{22}_[A-Za-z0-9]{59})(?![A-Za-z0-9_])/y,
    accept: (m) => randomEnough(m[1] ?? '') && {},
  },
  {
    // Classic private API keys: `key-` and 32 lowercase letters and digits (not only hex).
    id: 'mailgun-api-key',
    kind: 'Mailgun API key',
    entry: 'mailgun_api_key',
    anchors: ['key-'],
    re: /key-([0-9a-z]{32})(?![A-Za-z0-9_-])/y,
    begin: (text, at) => (boundaryBefore(text, at, '-.') ? at : -1),
    accept: (m, text) => {
      const body = m[1] ?? '';
      if (!/[0-9]/.test(body) || !/[a-z]/.test(body) || !randomEnough(body)) return false;
      return signingContext(text, m.index) ? { entry: 'mailgun_signing_key' } : {};
    },
  },
  {
    id: 'jwt',
    kind: 'JSON Web Token',
    entry: '',
    anchors: ['eyJ'],
    re: /eyJ[A-Za-z0-9_-]{8,}\.(eyJ[A-Za-z0-9_-]{8,})\.[A-Za-z0-9_-]*/y,
    shown: 3,
    begin: (text, at) => (boundaryBefore(text, at, '-.') ? at : -1),
    accept: (m) => {
      const header = decodeJson(m[0].slice(0, m[0].indexOf('.')));
      const payload = decodeJson(m[1] ?? '');
      if (!header || !payload || typeof header.alg !== 'string') return false;
      // jwt.io's published example token.
      if (payload.sub === '1234567890' && payload.name === 'John Doe') return false;
      if (payload.role === 'service_role') {
        return { id: 'supabase-service-role-key', kind: 'Supabase service_role key (a JWT whose role is service_role)', entry: 'supabase_service_role_key' };
      }
      // Supabase's anon key is public by design (it is shipped to browsers); RLS guards the data.
      if (payload.role === 'anon' && payload.iss === 'supabase') return false;
      return {};
    },
  },
  {
    id: 'supabase-secret-key',
    kind: 'Supabase secret key',
    entry: 'supabase_service_role_key',
    anchors: ['sb_secret_'],
    re: /sb_secret_([A-Za-z0-9_-]{20,})(?![A-Za-z0-9_-])/y,
    accept: (m) => randomEnough(m[1] ?? '') && {},
  },
  {
    id: 'vercel-token',
    kind: 'Vercel token',
    entry: 'vercel_token',
    anchors: ['vcp_', 'vci_', 'vca_', 'vcr_', 'vck_'],
    re: /vc[piark]_([A-Za-z0-9]{24,})(?![A-Za-z0-9_])/y,
    accept: (m) => randomEnough(m[1] ?? '', 3.5) && /[0-9]/.test(m[1] ?? '') && {},
  },
  {
    id: 'aws-access-key-id',
    kind: 'AWS access key ID',
    entry: 'aws_access_key_id',
    anchors: ['AKIA', 'ASIA'],
    re: /(?:AKIA|ASIA)([A-Z2-7]{16})(?![A-Za-z0-9_])/y,
    // AWS documents AKIAIOSFODNN7EXAMPLE as its example; any …EXAMPLE id is one.
    accept: (m) => !/EXAMPLE$/.test(m[0]) && randomEnough(m[1] ?? '', 2.5) && {},
  },
  {
    id: 'slack-token',
    kind: 'Slack token',
    entry: 'slack_token',
    anchors: ['xoxb-', 'xoxp-', 'xoxa-', 'xoxr-', 'xoxs-', 'xoxo-', 'xoxe-', 'xapp-'],
    re: /(?:xox[abposre]|xapp)-(\d+-[A-Za-z0-9-]{10,})(?![A-Za-z0-9_-])/y,
    accept: (m) => randomEnough((m[1] ?? '').replace(/-/g, ''), 3) && {},
  },
  {
    id: 'slack-webhook',
    kind: 'Slack incoming webhook URL',
    entry: 'slack_webhook_url',
    anchors: ['hooks.slack.com/'],
    re: /hooks\.slack\.com\/(?:services|workflows|triggers)\/([A-Za-z0-9_/+-]{20,})/y,
    shown: 'hooks.slack.com/'.length,
    accept: (m) => randomEnough((m[1] ?? '').replace(/\//g, ''), 3) && !/T0{8}|B0{8}/.test(m[1] ?? '') && {},
  },
  {
    id: 'stripe-live-key',
    kind: 'Stripe live key',
    entry: 'stripe_secret_key',
    anchors: ['sk_live_', 'rk_live_'],
    re: /[sr]k_live_([A-Za-z0-9]{20,})(?![A-Za-z0-9_])/y,
    accept: (m) => randomEnough(m[1] ?? '') && {},
  },
  {
    // Reported at the BEGIN line, and only when key material follows (not a header quoted in prose).
    id: 'private-key',
    kind: 'PEM private key',
    entry: 'private_key',
    anchors: ['-----BEGIN '],
    re: /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----(?=(?:\s|\\[rn])+(?:[A-Za-z-]+:[^\n]*\n(?:\s|\\[rn])*)*[A-Za-z0-9+/=]{40,})/y,
    shown: '-----BEGIN '.length,
    accept: (m) => (m[1] === 'OPENSSH ' ? { entry: 'ssh_private_key' } : {}),
  },
  {
    // scheme://user:password@host — the hit spans the password only.
    id: 'url-password',
    kind: 'password inside a URL',
    entry: '',
    anchors: ['://'],
    re: /([a-z][a-z0-9+.-]*):\/\/([^\s/:@'"<>`]+):([^\s/@'"<>`]+)@([^\s/?#'"<>`]+)/iy,
    shown: 0,
    begin: (text, at) => {
      let i = at;
      while (i > 0 && /[a-z0-9+.-]/i.test(text[i - 1] as string)) i--;
      return i < at && /[a-z]/i.test(text[i] as string) ? i : -1;
    },
    accept: (m) => {
      const [, scheme = '', user = '', password = '', host = ''] = m;
      if (isPlaceholder(password) || password === user || LOCAL_HOST.test(host) || samplePassword(password)) return false;
      const start = m.index + scheme.length + 3 + user.length + 1;
      const span = { start, end: start + password.length };
      if (/supabase\.(co|com)(:\d+)?$/i.test(host))
        return { ...span, id: 'supabase-database-url', kind: 'Supabase database URL with a password', entry: 'supabase_db_password' };
      if (/^postgres(ql)?$/i.test(scheme))
        return { ...span, id: 'postgres-url-password', kind: 'Postgres URL with a password', entry: `${snake(user)}_db_password` };
      return { ...span, entry: `${snake(scheme)}_password` };
    },
  },
];

/** Mailgun's hex keys (private API keys since 2021, webhook signing keys): 32-8-8 hex digits. */
const MAILGUN_HEX_TAIL = /-[0-9a-f]{8}-[0-9a-f]{8}(?![A-Za-z0-9_-])/g;

/** Every kind of finding by id: the detectors', the ones they refine to, and the assignment kinds. */
export const KIND_IDS: readonly string[] = [
  ...DETECTORS.map((d) => d.id),
  'supabase-service-role-key',
  'supabase-database-url',
  'postgres-url-password',
  'mailgun-hex-key',
  'aws-secret-access-key',
  'high-entropy',
];

/**
 * The literal prefilter: a few short needles found with `indexOf` (far cheaper than one regex of
 * every anchor), each with the detector anchors that may start `back` characters before it.
 */
const NEEDLES: ReadonlyArray<{ needle: string; back: number; anchors: ReadonlyArray<[string, Detector]> }> = (() => {
  const all = DETECTORS.flatMap((d) => d.anchors.map((a) => [a, d] as [string, Detector]));
  const coarse: Array<[string, number, (a: string) => boolean]> = [
    ['_v1_', 3, (a) => a.endsWith('_v1_')],
    ['_live_', 2, (a) => a.endsWith('_live_')],
    ['gh', 0, (a) => a.startsWith('gh')],
    ['xox', 0, (a) => a.startsWith('xox')],
    ['vc', 0, (a) => /^vc._$/.test(a)],
    // `indexOf` is slowest on needles that start with a common letter: search from a rarer one.
    ['yJ', 1, (a) => a === 'eyJ'],
    ['_secret_', 2, (a) => a === 'sb_secret_'],
  ];
  const out = coarse.map(([needle, back, takes]) => ({ needle, back, anchors: all.filter(([a]) => takes(a)) }));
  const taken = new Set(out.flatMap((n) => n.anchors.map(([a]) => a)));
  for (const [a, d] of all) if (!taken.has(a)) out.push({ needle: a, back: 0, anchors: [[a, d]] });
  return out;
})();

/** True when the line holding `at` talks about webhook signing (`MAILGUN_SIGNING_KEY=…`). */
function signingContext(text: string, at: number): boolean {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  return /sign/i.test(text.slice(lineStart, at));
}

export function snake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
}

/** Example values that are not secrets: `${VAR}`, `<token>`, `{password}`, `xxxx`, `****`, `...`, `changeme`. */
export function isPlaceholder(raw: string): boolean {
  // `\${VAR}` is how a template literal or a shell heredoc writes `${VAR}`.
  const v = raw.replace(/\\(?=\$)/g, '');
  return (
    /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(v) ||
    /^\$\{\{[^}]*\}\}$/.test(v) ||
    /^<[^<>]*>$/.test(v) ||
    /^\{\{?[^{}]*\}?\}$/.test(v) ||
    /^\[[^\]]*\]$/.test(v) ||
    /^%[sv]$/.test(v) ||
    /x{4,}|X{4,}|\*{3,}|\.{3}|…|0{8,}|0123456|1234567|9876543|abcdefg/i.test(v) ||
    /EXAMPLE|^wJalrXUtnFEMI\/K7MDENG\/bPxRfiCY/.test(v) ||
    /^(password|passwd|pass|pwd|secret|token|changeme|change_me|redacted|example|dummy|test|your[_-].*|my[_-].*)$/i.test(v)
  );
}

/** Every token-shaped secret in a text, in order of position. One pass for the anchors, one for Mailgun's hex keys. */
export function tokenShapes(text: string): Hit[] {
  const candidates: Array<{ at: number; anchor: string; d: Detector }> = [];
  for (const { needle, back, anchors } of NEEDLES) {
    for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) {
      const at = i - back;
      const hit = anchors.find(([a]) => text.startsWith(a, at));
      if (hit) candidates.push({ at, anchor: hit[0], d: hit[1] });
    }
  }
  candidates.sort((a, b) => a.at - b.at);
  const hits: Hit[] = [];
  let covered = 0;
  for (const { at: anchorAt, anchor, d } of candidates) {
    // An anchor inside a match already made (a `://` in a matched URL) is part of it.
    if (anchorAt < covered) continue;
    const at = d.begin ? d.begin(text, anchorAt) : boundaryBefore(text, anchorAt) ? anchorAt : -1;
    if (at < 0) continue;
    d.re.lastIndex = at;
    const m = d.re.exec(text);
    if (!m) continue;
    const extra = d.accept ? d.accept(m, text) : {};
    if (extra === false) continue;
    hits.push({ id: d.id, kind: d.kind, entry: d.entry, start: at, end: at + m[0].length, shown: d.shown ?? anchor.length, ...extra });
    covered = at + m[0].length;
  }
  // Mailgun's hex keys: find the rarer `-8hex-8hex` tail first, then check the 32 hex digits before it.
  MAILGUN_HEX_TAIL.lastIndex = 0;
  for (let m = MAILGUN_HEX_TAIL.exec(text); m; m = MAILGUN_HEX_TAIL.exec(text)) {
    const start = m.index - 32;
    if (start < 0 || !/^[0-9a-f]{32}$/.test(text.slice(start, m.index)) || !boundaryBefore(text, start, '-')) continue;
    if (!randomEnough(text.slice(start, m.index))) continue;
    hits.push({
      id: 'mailgun-hex-key',
      kind: 'Mailgun private API key or webhook signing key',
      entry: signingContext(text, start) ? 'mailgun_signing_key' : 'mailgun_api_key',
      start,
      end: m.index + m[0].length,
      shown: 0,
    });
  }
  return hits.sort((a, b) => a.start - b.start);
}

/**
 * Key names that hold secrets: password, secret, token, api_key, private_key, signing_key, a name
 * ending in `_key`/`-key`/`Key`, credentials, dsn …; not the names of public or bookkeeping keys.
 */
export const SECRET_KEY =
  /(pass(word|wd)?|pwd|secret|token|api[_-]?key|apikey|(private|signing|access|secret|master|encryption|license)[_-]?key|[a-z0-9][_.-]key|credentials?|dsn)$/i;
const NOT_SECRET_KEY =
  /(public|publishable|anon|cache|idempotency|primary|foreign|sort|partition|sequence|lookup|registry|secret[_-]?name|ref|id)[_.-]?key$|_(id|name|ref|file|path|url|secret_name)$/i;

export function isSecretName(name: string): boolean {
  return SECRET_KEY.test(name) && !NOT_SECRET_KEY.test(name);
}

export const MIN_SECRET_LENGTH = 20;
export const ENTROPY_THRESHOLD = 3.5;
export const HEX_ENTROPY_THRESHOLD = 3.0;

/**
 * True when `value`, found under a secret-like key, looks like a real secret: long, random,
 * one word, and not a registry name, an env var name, a path, a URL, a UUID, a hash in integrity
 * form, code or a placeholder. (A git SHA is told by its name: see {@link classifyAssignment}.)
 */
export function looksLikeSecretValue(value: string): boolean {
  const v = value.trim();
  if ([...v].length < MIN_SECRET_LENGTH || /\s/.test(v)) return false;
  if (/^[a-z][a-z0-9]*([_.-][a-z0-9]+)+$/.test(v) || /^[A-Z]?[a-z]+$/.test(v)) return false; // a snake/kebab-case name, a word
  if (/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(v) || /^[A-Z]+$/.test(v)) return false; // an env var name
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return false; // URLs: credentials in them are a token shape
  if (isPath(v)) return false;
  const code = v.replace(/\?\./g, '.').replace(/[?.]+$/, '');
  if (/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/.test(code) && /[a-z]{3}/.test(code)) return false; // code: process.env.X, a?.b
  const word = v.replace(/^[^A-Za-z0-9]+/, '');
  // CamelCase words (AuthenticationMD5Password, ?InterpolationInTemplate): an identifier, not a key.
  if (isCamelCaseWords(word)) return false;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) return false; // a UUID
  if (/^(sha(1|256|384|512)|md5)[-:]/i.test(v)) return false; // an integrity hash
  if (isPlaceholder(v) || /^\$\{[^}]+\}$/.test(v) || /^[$%@]/.test(v)) return false; // a reference to something else
  // A small alphabet caps the entropy a random value can reach: hex digits get a lower bar.
  return entropy(v) >= (/^[0-9a-f]+$/i.test(v) ? HEX_ENTROPY_THRESHOLD : ENTROPY_THRESHOLD);
}

/** `./a/b`, `/etc/x`, `src/App.tsx`, `docs/ops/runbooks`: segments that read as words (base64 does not). */
function isPath(v: string): boolean {
  if (!v.includes('/')) return false;
  return v
    .replace(/^(\.{1,2}|~)?\//, '')
    .split('/')
    .every((seg) => seg === '' || seg === '..' || /^[A-Za-z0-9@_][a-z0-9._@-]*$/.test(seg) || /^[\w@-]+\.[A-Za-z0-9]{1,5}$/.test(seg));
}

/**
 * `AuthenticationMD5Password`, `?InterpolationInTemplate`, `isEqual`: an identifier made of
 * words — every capitalised part has a vowel, acronyms are short. Random mixed case is not.
 */
function isCamelCaseWords(v: string): boolean {
  const parts = v.match(/^[a-z]+|[A-Z][a-z]+|[A-Z]{2,5}(?![a-z])|[0-9]{1,4}/g);
  if (!parts || parts.join('') !== v) return false;
  const words = parts.filter((p) => /[a-z]{2}/.test(p));
  return words.length >= 2 && words.every((w) => /[aeiouy]/i.test(w));
}

export interface Assignment {
  /** The name the value is assigned to (`MAILGUN_API_KEY`, `password`, a pair's `key`). */
  name: string;
  start: number;
  end: number;
}

/** `name: value`, `NAME=value`, `"name": "value"`, `name = 'value'`, `name := value`, `name => value`. */
const ASSIGNMENT = /(?<![A-Za-z0-9_.-])([A-Za-z_][A-Za-z0-9_.-]*)["']?[ \t]*(?::=|=>|[:=])[ \t]*["']?([^\s"',;`(){}[\]<>]+)/g;
/** `{key: NAME, value: …}` and `- name: NAME\n  value: …` pairs (DigitalOcean app specs, Kubernetes env), ending at `value`. */
const PAIR =
  /\b(?:key|name)["']?[ \t]*:[ \t]*["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?[^\n]{0,80}?(?:\n[^\n]{0,80}?){0,2}?\bvalue["']?[ \t]*:[ \t]*["']?([^\s"',;`(){}[\]<>]+)/g;
/** Words every secret-like name contains: only lines holding one are searched for assignments. */
const NAME_WORD = /pass|pwd|secret|token|key|credential|dsn/gi;

function lineBounds(text: string, at: number): [number, number] {
  const start = text.lastIndexOf('\n', at - 1) + 1;
  const nl = text.indexOf('\n', at);
  return [start, nl === -1 ? text.length : nl];
}

/** Assignments of a value to a secret-like name, with the value's span. */
export function secretAssignments(text: string): Assignment[] {
  const out: Assignment[] = [];
  const starts = new Set<number>();
  const push = (m: RegExpExecArray, base: number) => {
    const [whole, name = '', raw = ''] = m;
    if (!isSecretName(name)) return;
    const value = cleanValue(raw);
    const start = base + m.index + whole.length - raw.length;
    if (starts.has(start)) return;
    starts.add(start);
    out.push({ name, start, end: start + value.length });
  };
  // Cheap prefilter: the lines that hold a secret-like word, each searched once.
  NAME_WORD.lastIndex = 0;
  let searchedTo = -1;
  for (let w = NAME_WORD.exec(text); w; w = NAME_WORD.exec(text)) {
    if (w.index < searchedTo) continue;
    const [start, end] = lineBounds(text, w.index);
    searchedTo = end;
    const line = text.slice(start, end);
    ASSIGNMENT.lastIndex = 0;
    for (let m = ASSIGNMENT.exec(line); m; m = ASSIGNMENT.exec(line)) push(m, start);
    NAME_WORD.lastIndex = end;
  }
  // Name/value pairs: from each `value` back over at most two lines.
  for (let v = text.indexOf('value'); v !== -1; v = text.indexOf('value', v + 5)) {
    let from = lineBounds(text, v)[0];
    for (let k = 0; k < 2 && from > 0; k++) from = lineBounds(text, from - 1)[0];
    const end = lineBounds(text, v)[1];
    const window = text.slice(from, end);
    PAIR.lastIndex = 0;
    for (let m = PAIR.exec(window); m; m = PAIR.exec(window)) push(m, from);
  }
  return out.sort((a, b) => a.start - b.start);
}

/** A captured value without trailing punctuation or a string escape (`abc\n` in a quoted string). */
function cleanValue(raw: string): string {
  // `x=Module.y=e.z` chains in code end the value at the next `=` after a member access.
  return (raw.split(/\\[nrt]/)[0] ?? '').replace(/^([A-Za-z_$][\w$]*\.[\w$.]+)=.*$/, '$1').replace(/[.:]+$/, '');
}

/** What an assignment's value is, when it is a secret: an AWS secret access key, or a high-entropy value. */
export function classifyAssignment(name: string, value: string): { id: string; kind: string } | undefined {
  if (/secret_?access_?key/i.test(name) && /^[A-Za-z0-9/+]{40}$/.test(value) && !isPlaceholder(value) && entropy(value) >= 4) {
    return { id: 'aws-secret-access-key', kind: 'AWS secret access key' };
  }
  // `token_sha256`, `secret_hash`, `commit_ref`: a digest or a git SHA of something, not the secret.
  if (/sha(1|256|512)?|commit|rev|digest|hash|checksum|integrity|fingerprint/i.test(name)) return undefined;
  if (looksLikeSecretValue(value)) return { id: 'high-entropy', kind: `high-entropy value under the secret-like name \`${name}\`` };
  return undefined;
}

/**
 * A value as messages show it: the vendor's fixed prefix (`ghp_…`), nothing of a password
 * (`…`), or for a value of unknown shape at most 3 leading characters — never more.
 */
export function mask(value: string, shown: number | undefined): string {
  const n = shown === undefined ? Math.min(3, Math.floor(value.length / 8)) : Math.min(shown, Math.max(0, value.length - 8));
  return `${value.slice(0, n)}…`;
}
