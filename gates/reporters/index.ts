import { github } from './github.ts';
import { json } from './json.ts';
import { junit } from './junit.ts';
import { markdown } from './markdown.ts';
import { sarif } from './sarif.ts';
import { stylish } from './stylish.ts';
import type { Reporter } from './types.ts';

/** Every output format, by the name `--format` takes. */
export const reporters: Readonly<Record<string, Reporter>> = { github, json, junit, markdown, sarif, stylish };
