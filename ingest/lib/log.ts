import type { Redactor } from './redact.ts';

export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface LogRecord {
  level: Level;
  msg: string;
  [key: string]: unknown;
}

/** One JSON object per line, every secret redacted. */
export interface Logger {
  log(level: Level, msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export function jsonLogger(write: (line: string) => void, redactor: Redactor, opts: { fields?: Record<string, unknown>; now?: () => number } = {}): Logger {
  const fields = opts.fields ?? {};
  const now = opts.now ?? Date.now;
  const log = (level: Level, msg: string, data: Record<string, unknown> = {}): void => {
    const rec = redactor.value({ ts: new Date(now()).toISOString(), level, msg, ...fields, ...data });
    write(`${JSON.stringify(rec)}\n`);
  };
  return {
    log,
    info: (m, d) => log('info', m, d),
    warn: (m, d) => log('warn', m, d),
    error: (m, d) => log('error', m, d),
    child: (more) => jsonLogger(write, redactor, { fields: { ...fields, ...more }, now }),
  };
}

/** A logger that keeps its records, for tests and for the dry run's summary. */
export function memoryLogger(redactor: Redactor): Logger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const logger = jsonLogger((line) => records.push(JSON.parse(line) as LogRecord), redactor);
  return Object.assign(logger, { records });
}
