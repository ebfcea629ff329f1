export function GET() {
  return globalThis.Response.json({ ok: true });
}
