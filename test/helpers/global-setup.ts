import { EMBEDDED_NOTE, ON_SERVER } from './pg.ts';

/** Says once, before the run, which Postgres the suites use. */
export default function setup(): void {
  if (!ON_SERVER) process.stdout.write(`${EMBEDDED_NOTE}\n`);
}
