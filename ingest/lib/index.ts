export { FakeClock, systemClock, type Clock } from './clock.ts';
export { ConfigError, SsotReader } from './config.ts';
export { inTransaction, type RunnerDeps, type RunResult } from './deps.ts';
export { backoffDelay, HttpClient, HttpError, parseRateLimitReset, parseRetryAfter, type RetryInfo, type RetryPolicy } from './http.ts';
export { closeAbandonedRuns, RunLedger, takeRunLock, RUN_TABLES } from './ledger.ts';
export { jsonLogger, memoryLogger, type Logger } from './log.ts';
export { Redactor } from './redact.ts';
export { Secrets, SecretError, secretEnvVar, SECRETS_REGISTRY } from './secrets.ts';
