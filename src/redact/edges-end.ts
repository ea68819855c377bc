import { readSync } from 'node:fs';
import { lastIndexBefore } from './last-index.js';

/** What V8 writes after the edges: `],` and the next section's key (its first byte is where the search stops). */
const NEXT_KEY = Buffer.from('"trace_function_infos"');

/**
 * Where the edges' `]` is in a file laid out as V8 writes it, found from the strings back (through the few
 * sections between them, ~23 MB of 660) instead of through the edges from the front (~200 MB): the `]` before
 * the last `"trace_function_infos"` key in [least, before), with only a comma and whitespace between. -1 when
 * there is none: the caller looks from the front. Not checked here that no `]` comes sooner: the parse of the
 * edges up to it fails on one (the file then goes the two-pass way).
 */
export function edgesCloseBefore(fd: number, least: number, before: number): number {
  const key = lastIndexBefore(fd, NEXT_KEY, least, before);
  if (key < 0) return -1;
  const buf = Buffer.allocUnsafe(256);
  const from = Math.max(least, key - buf.length);
  const n = readSync(fd, buf, 0, key - from, from);
  let p = n - 1;
  while (p >= 0 && isWhitespace(buf[p])) p--;
  if (p < 0 || buf[p] !== 44) return -1;
  p--;
  while (p >= 0 && isWhitespace(buf[p])) p--;
  return p >= 0 && buf[p] === 93 ? from + p : -1;
}

function isWhitespace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}
