/** Recognisers for secret *values* (never names). Pure functions: text in, spans out. */

export interface Hit {
  /** What was found, for the message (never the value). */
  kind: string;
  /** UTF-16 index of the value in the scanned string, and its end. */
  start: number;
  end: number;
}

interface Shape {
  kind: string;
  /** A literal every match contains: texts without it are not searched. */
  needle: string;
  re: RegExp;
  /** Capture group holding the secret part (default: the whole match). */
  group?: number;
}

/** Token shapes of the vendors this platform uses; each regex is global and anchored at word edges. */
const SHAPES: readonly Shape[] = [
  { kind: 'Mailgun API key (key-…)', needle: 'key-', re: /\bkey-[0-9a-f]{32}\b/g },
  { kind: 'DigitalOcean token (dop_v1_…)', needle: '_v1_', re: /\bdo[opr]_v1_[0-9a-f]{64}\b/g },
  { kind: 'GitHub token (ghp_/gho_/ghs_…)', needle: 'gh', re: /\bgh[pousr]_[A-Za-z0-9]{36}\b/g },
  { kind: 'GitHub fine-grained token (github_pat_…)', needle: 'github_pat_', re: /\bgithub_pat_[A-Za-z0-9_]{60,}/g },
  { kind: 'JSON Web Token (eyJ…)', needle: 'eyJ', re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g },
  { kind: 'PEM private key', needle: 'PRIVATE KEY-----', re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/g },
  // scheme://user:password@host — the password group is checked against placeholders below.
  { kind: 'password inside a URL', needle: '@', re: /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@'"<>]+:([^\s/@'"]+)@[^\s/'"]+/gi, group: 1 },
];

/** Example values that are not secrets: `${VAR}`, `<token>`, `{password}`, `xxxx`, `****`, `...`, `changeme`. */
export function isPlaceholder(v: string): boolean {
  return (
    /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(v) ||
    /^<[^<>]*>$/.test(v) ||
    /^\{\{?[^{}]*\}?\}$/.test(v) ||
    /^\[[^\]]*\]$/.test(v) ||
    /^%[sv]$/.test(v) ||
    /x{4,}|X{4,}|\*{3,}|\.{3}|…/.test(v) ||
    /^(password|passwd|pass|pwd|secret|token|changeme|redacted|example|your[_-].*)$/i.test(v)
  );
}

/** Every token-shaped secret in a text, in order of position. */
export function tokenShapes(text: string): Hit[] {
  const hits: Hit[] = [];
  for (const { kind, needle, re, group } of SHAPES) {
    if (!text.includes(needle)) continue;
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const whole = m[0];
      const part = group === undefined ? whole : (m[group] ?? '');
      if (group !== undefined && isPlaceholder(part)) continue;
      const start = m.index + (group === undefined ? 0 : whole.indexOf(`:${part}@`) + 1);
      hits.push({ kind, start, end: start + part.length });
    }
  }
  return hits.sort((a, b) => a.start - b.start);
}

/** Key names that hold secrets: password, secret, token, api_key, private_key, signing_key … */
export const SECRET_KEY = /(pass(word|wd)?|pwd|secret|token|api[_-]?key|apikey|private[_-]?key|signing[_-]?key|access[_-]?key|credentials?|dsn)$/i;

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const n = [...s].length;
  let h = 0;
  for (const c of counts.values()) {
    const p = c / n;
    h -= p * Math.log2(p);
  }
  return h;
}

export const MIN_SECRET_LENGTH = 20;
export const ENTROPY_THRESHOLD = 3.5;

/**
 * True when `value`, found under a secret-like key, looks like a real secret: long, random,
 * one word, and not a registry name, an env var name, a URL or a placeholder.
 */
export function looksLikeSecretValue(value: string): boolean {
  const v = value.trim();
  if ([...v].length < MIN_SECRET_LENGTH || /\s/.test(v)) return false;
  if (/^[a-z][a-z0-9]*([_-][a-z0-9]+)*$/.test(v)) return false; // a snake/kebab-case name
  if (/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(v)) return false; // an env var name
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return false; // URLs: credentials in them are a token shape
  if (isPlaceholder(v) || /^\$\{[^}]+\}$/.test(v)) return false;
  return entropy(v) >= ENTROPY_THRESHOLD;
}
