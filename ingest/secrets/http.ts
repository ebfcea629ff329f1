// The audit's own minimal HTTP reader: one GET with a time limit, JSON or a clear error. The
// caller removes tokens from any message before it is shown or stored.
import type { HttpGet } from './stores.ts';

const TIMEOUT_MS = 30_000;
const SNIPPET = 200;

export function fetchJson(fetchImpl: typeof fetch): HttpGet {
  return async (url, headers, what) => {
    let res: Response;
    try {
      res = await fetchImpl(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (e) {
      const why = e instanceof Error && e.name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : (e as Error).message;
      throw new Error(`${what} API request failed: ${why}`);
    }
    const text = await res.text();
    if (!res.ok) {
      const snippet = text.replace(/\s+/g, ' ').trim().slice(0, SNIPPET);
      throw new Error(`${what} API answered ${res.status}${snippet ? `: ${snippet}` : ''}`);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error(`${what} API answered ${res.status} with a body that is not JSON`);
    }
  };
}
