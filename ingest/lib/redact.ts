/**
 * Replaces every known secret value in text with `[redacted:<name>]`. Values shorter than
 * MIN_SECRET_LENGTH are not registered (they would mangle ordinary text); a secret that short is
 * refused where it is looked up.
 */
export const MIN_SECRET_LENGTH = 8;

export class Redactor {
  private readonly secrets: Array<{ name: string; value: string }> = [];

  add(name: string, value: string | undefined): void {
    if (!value || value.length < MIN_SECRET_LENGTH) return;
    if (this.secrets.some((s) => s.value === value)) return;
    this.secrets.push({ name, value });
    // Longest first, so a secret that contains another is replaced whole.
    this.secrets.sort((a, b) => b.value.length - a.value.length);
  }

  get size(): number {
    return this.secrets.length;
  }

  text(s: string): string {
    let out = s;
    for (const { name, value } of this.secrets) {
      if (out.includes(value)) out = out.split(value).join(`[redacted:${name}]`);
      // The same value as it appears percent-encoded in URLs or JSON-escaped in bodies.
      const enc = encodeURIComponent(value);
      if (enc !== value && out.includes(enc)) out = out.split(enc).join(`[redacted:${name}]`);
      const json = JSON.stringify(value).slice(1, -1);
      if (json !== value && out.includes(json)) out = out.split(json).join(`[redacted:${name}]`);
    }
    return out;
  }

  /** A deep copy of a JSON-like value with every string redacted. */
  value<T>(v: T): T {
    if (this.secrets.length === 0) return v;
    return this.walk(v, 0) as T;
  }

  private walk(v: unknown, depth: number): unknown {
    if (typeof v === 'string') return this.text(v);
    if (depth > 20 || v === null || typeof v !== 'object') return v;
    if (v instanceof Error) return this.text(v.message);
    if (Array.isArray(v)) return v.map((x) => this.walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = this.walk(x, depth + 1);
    return out;
  }

  /** The error's message, redacted: what may be shown or stored. */
  error(e: unknown): string {
    return this.text(e instanceof Error ? e.message : String(e));
  }
}
