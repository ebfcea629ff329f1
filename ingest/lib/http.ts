import type { Clock } from './clock.ts';
import { Redactor } from './redact.ts';

export interface RetryPolicy {
  /** Retries after the first attempt (5 means at most 6 attempts). */
  maxRetries: number;
  /** Statuses that are retried; timeouts and dropped connections always are. */
  retryOn: readonly number[];
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RetryInfo {
  url: string;
  /** The attempt that failed (1-based). */
  attempt: number;
  status?: number;
  error?: string;
  waitMs: number;
  /** What decided the wait. */
  basis: 'retry-after' | 'ratelimit-reset' | 'backoff';
}

export interface HttpClientOptions {
  /** Which API, for messages ("DigitalOcean"). */
  service: string;
  fetch: typeof fetch;
  clock: Clock;
  retry: RetryPolicy;
  /** Clock time (epoch ms) by which the whole run must be done; no wait is started past it. */
  deadline: number;
  /** Real-time cap of one attempt, headers and body. */
  timeoutMs: number;
  /** Jitter source in [0, 1). */
  random?: () => number;
  onRetry?: (info: RetryInfo) => void | Promise<void>;
  redactor?: Redactor;
  /** What to do about a non-retried status, by status: `401: 'the token is invalid …'`. */
  hints?: Readonly<Record<number, string>>;
  headers?: Readonly<Record<string, string>>;
}

export interface HttpResponse {
  url: string;
  status: number;
  headers: Headers;
  text: string;
  /** Attempts this request took. */
  attempts: number;
}

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    message: string,
    readonly url: string,
    readonly attempts: number,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Seconds or an HTTP date, as a wait from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** DigitalOcean's `ratelimit-reset` (Unix epoch seconds) as a wait from `now`. */
export function parseRateLimitReset(value: string | null, now: number): number | undefined {
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Math.max(0, Number(value.trim()) * 1000 - now);
}

/** Capped exponential backoff with jitter: half the step fixed, half random. */
export function backoffDelay(retry: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(step / 2 + random * (step / 2));
}

/**
 * GET requests with bounded retries: 429, the listed 5xx, timeouts and dropped connections are
 * retried at most `maxRetries` times, waiting what `Retry-After` or `ratelimit-reset` asks, else
 * a capped exponential backoff with jitter; never past the run deadline. Any other status that is
 * not 2xx or 304 fails at once with what to do about it.
 */
export class HttpClient {
  /** Attempts made by every request of this client. */
  attempts = 0;
  private readonly redactor: Redactor;
  private readonly random: () => number;

  constructor(readonly opts: HttpClientOptions) {
    this.redactor = opts.redactor ?? new Redactor();
    this.random = opts.random ?? Math.random;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
    const { clock, retry, service } = this.opts;
    const shown = this.redactor.text(url);
    for (let attempt = 1; ; attempt++) {
      const remaining = this.opts.deadline - clock.now();
      if (remaining <= 0) {
        throw new HttpError(`${service} GET ${shown}: the run deadline passed before attempt ${attempt}; nothing more is requested`, shown, attempt - 1);
      }
      this.attempts++;
      let status: number | undefined;
      let failure: string | undefined;
      let res: Response | undefined;
      let text = '';
      try {
        res = await this.opts.fetch(url, {
          headers: { accept: 'application/json', ...this.opts.headers, ...headers },
          signal: AbortSignal.timeout(Math.max(1, Math.min(this.opts.timeoutMs, remaining))),
        });
        status = res.status;
        text = await res.text();
      } catch (e) {
        failure = describeNetworkError(e, this.opts.timeoutMs);
      }
      if (res && failure === undefined && status !== undefined) {
        if ((status >= 200 && status < 300) || status === 304) {
          return { url, status, headers: res.headers, text, attempts: attempt };
        }
        if (!retry.retryOn.includes(status)) {
          const hint = this.opts.hints?.[status] ?? defaultHint(status);
          const detail = apiMessage(text);
          throw new HttpError(this.redactor.text(`${service} GET ${shown} answered ${status}${detail ? ` (${detail})` : ''}: ${hint}`), shown, attempt, status);
        }
      }
      const what = failure ?? `HTTP ${status ?? 'without a status'}`;
      if (attempt > retry.maxRetries) {
        throw new HttpError(
          this.redactor.text(`${service} GET ${shown} failed after ${attempt} attempts (1 + ${retry.maxRetries} retries); the last: ${what}`),
          shown,
          attempt,
          status,
        );
      }
      let waitMs: number;
      let basis: RetryInfo['basis'] = 'backoff';
      const now = clock.now();
      const after = res ? parseRetryAfter(res.headers.get('retry-after'), now) : undefined;
      const reset = res && status === 429 ? parseRateLimitReset(res.headers.get('ratelimit-reset'), now) : undefined;
      if (after !== undefined) {
        waitMs = after;
        basis = 'retry-after';
      } else if (reset !== undefined) {
        waitMs = reset;
        basis = 'ratelimit-reset';
      } else waitMs = backoffDelay(attempt, retry, this.random());
      if (now + waitMs >= this.opts.deadline) {
        throw new HttpError(
          this.redactor.text(
            `${service} GET ${shown}: ${what} on attempt ${attempt}; the next attempt would wait ${Math.ceil(waitMs / 1000)} s (${basis}), past the run deadline in ${Math.max(0, Math.ceil((this.opts.deadline - now) / 1000))} s`,
          ),
          shown,
          attempt,
          status,
        );
      }
      await this.opts.onRetry?.({ url: shown, attempt, status, error: failure && this.redactor.text(failure), waitMs, basis });
      await clock.sleep(waitMs);
    }
  }
}

function describeNetworkError(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `no complete answer within ${timeoutMs} ms (timeout)`;
  const code = err?.cause?.code ?? '';
  const msg = err?.cause?.message ?? err?.message ?? String(e);
  return `connection failed${code ? ` (${code})` : ''}: ${msg}`;
}

/** The API's own error message from a JSON body, when there is one. */
function apiMessage(text: string): string | undefined {
  try {
    const j = JSON.parse(text) as { message?: unknown; id?: unknown };
    if (j && typeof j.message === 'string') return j.message.slice(0, 200);
  } catch {
    /* not JSON */
  }
  return undefined;
}

function defaultHint(status: number): string {
  if (status === 401) return 'the token is invalid or expired; set a valid one';
  if (status === 403) return 'the token lacks the scope this request needs; grant read access';
  if (status === 404) return 'the resource does not exist; check the base URL and the path';
  return 'the request is not retried; fix the cause and run again';
}
