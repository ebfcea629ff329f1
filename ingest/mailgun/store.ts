import type pg from 'pg';

/** An event normalized into the columns of ops.mail_events. */
export interface MailRow {
  env: string;
  message_id: string;
  subject: string | null;
  sender: string | null;
  recipient: string;
  transport: string | null;
  /** Event time, Unix seconds. */
  stamp: number;
}

/** One verified delivery to record: its signature token and the normalized event. */
export interface Delivery extends MailRow {
  token: string;
  /** Signature timestamp, Unix seconds. */
  signedAt: number;
  eventId: string;
  /** The body as posted. */
  raw: string;
}

/**
 * stored: new event; duplicate: the event id (or message, recipient and stamp) is already stored;
 * replayed: the token was already used; unstorable: Postgres refuses the data (it never will take
 * it); unavailable: the database cannot be reached or failed (Mailgun should retry).
 */
export type Outcome = { kind: 'stored' | 'duplicate' | 'replayed' } | { kind: 'unstorable' | 'unavailable'; error: unknown };

// One statement per batch: tokens are recorded and events stored together, or nothing is.
// Within a batch a token or an event id that repeats counts once (its first delivery).
const STORE = `
with input as (
  select * from jsonb_to_recordset($1::jsonb) as x(i int, token text, signed_at float8, event_id text, env text, message_id text,
    subject text, sender text, recipient text, transport text, stamp float8, raw jsonb)
), first_token as (
  select distinct on (token) * from input order by token, i
), t as (
  insert into ops.mail_webhook_tokens (token, signed_at)
  select token, to_timestamp(signed_at) from first_token
  on conflict do nothing returning token
), fresh as (
  select f.* from first_token f join t using (token)
), first_event as (
  select distinct on (event_id) * from fresh order by event_id, i
), e as (
  insert into ops.mail_events (env, provider, message_id, subject, sender, recipient, transport, stamp, raw)
  select env, 'mailgun', message_id, subject, sender, recipient, transport, to_timestamp(stamp), raw from first_event order by i
  on conflict do nothing returning raw -> 'event-data' ->> 'id' as event_id
)
select i, (select coalesce(array_agg(i), '{}') from fresh) as fresh, (select coalesce(array_agg(event_id), '{}') from e) as stored
  from (select min(i) as i from input) one`;

/** SQLSTATE classes of errors in the data itself: retrying cannot help. */
const DATA_ERROR = /^(22|23)/;

/**
 * Records deliveries with group commit: a delivery that arrives while `concurrency` statements
 * are in flight waits for the next one, which takes every waiting delivery (up to `maxBatch`) in
 * one statement and one commit. At low load a delivery is written alone, at once.
 */
export class MailStore {
  private readonly queue: Array<{ d: Delivery; resolve: (o: Outcome) => void }> = [];
  private inflight = 0;
  /** Statements run and the largest batch, for the bench and the tests. */
  readonly stats = { statements: 0, deliveries: 0, largestBatch: 0 };

  constructor(
    private readonly pool: pg.Pool,
    private readonly opts: { concurrency: number; maxBatch: number } = { concurrency: 4, maxBatch: 64 },
  ) {}

  record(d: Delivery): Promise<Outcome> {
    return new Promise((resolve) => {
      this.queue.push({ d, resolve });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inflight < this.opts.concurrency && this.queue.length) {
      const batch = this.queue.splice(0, this.opts.maxBatch);
      this.inflight++;
      void this.write(batch).finally(() => {
        this.inflight--;
        this.pump();
      });
    }
  }

  private async write(batch: Array<{ d: Delivery; resolve: (o: Outcome) => void }>): Promise<void> {
    try {
      const outcomes = await this.run(batch.map((b) => b.d));
      batch.forEach((b, i) => b.resolve(outcomes[i] as Outcome));
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      if (batch.length > 1 && DATA_ERROR.test(code)) {
        // One delivery Postgres refuses must not hold back the others: write each alone.
        for (const b of batch) {
          try {
            b.resolve((await this.run([b.d]))[0] as Outcome);
          } catch (e1) {
            b.resolve({ kind: DATA_ERROR.test((e1 as { code?: string }).code ?? '') ? 'unstorable' : 'unavailable', error: e1 });
          }
        }
        return;
      }
      const kind = DATA_ERROR.test(code) ? 'unstorable' : 'unavailable';
      for (const b of batch) b.resolve({ kind, error: e });
    }
  }

  private async run(ds: Delivery[]): Promise<Outcome[]> {
    const input = ds.map((d, i) => ({
      i,
      token: d.token,
      signed_at: d.signedAt,
      event_id: d.eventId,
      env: d.env,
      message_id: d.message_id,
      subject: d.subject,
      sender: d.sender,
      recipient: d.recipient,
      transport: d.transport,
      stamp: d.stamp,
      raw: JSON.parse(d.raw) as unknown,
    }));
    this.stats.statements++;
    this.stats.deliveries += ds.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, ds.length);
    const r = await this.pool.query<{ fresh: number[]; stored: string[] }>(STORE, [JSON.stringify(input)]);
    const fresh = new Set(r.rows[0]?.fresh ?? []);
    const stored = new Set(r.rows[0]?.stored ?? []);
    return ds.map((d, i) => {
      if (!fresh.has(i)) return { kind: 'replayed' };
      // The first fresh delivery of a stored event id is the one that stored it.
      if (stored.has(d.eventId)) {
        stored.delete(d.eventId);
        return { kind: 'stored' };
      }
      return { kind: 'duplicate' };
    });
  }
}
