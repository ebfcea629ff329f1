import jobTimeouts from './job-timeouts.ts';
import nonprodConcurrency from './nonprod-concurrency.ts';
import smtpPort from './smtp-port.ts';

export default [jobTimeouts, nonprodConcurrency, smtpPort];
