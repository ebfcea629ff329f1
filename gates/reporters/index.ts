import { json } from './json.ts';
import { stylish } from './stylish.ts';
import type { Reporter } from './types.ts';

/** Every output format, by the name `--format` takes. */
export const reporters: Readonly<Record<string, Reporter>> = { json, stylish };
