import { readSync } from 'node:fs';

/** What V8 writes after the edges: `],` and the next section's key (its first byte is where the search stops). */
const NEXT_KEY = Buffer.from('"trace_function_infos"');
const CHUNK = 4 << 20;

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

/** File offset of the last `needle` that lies whole in [from, to), -1 when none; read from the end, a chunk at a time. */
function lastIndexBefore(fd: number, needle: Buffer, from: number, to: number): number {
  const buf = Buffer.allocUnsafe(CHUNK + needle.length);
  for (let end = to; end - from >= needle.length; ) {
    const start = Math.max(from, end - CHUNK);
    // each chunk reaches into the one after it by the needle's length less one: a needle across the cut is whole in one
    const stop = Math.min(to, end + needle.length - 1);
    let got = 0;
    while (got < stop - start) {
      const n = readSync(fd, buf, got, stop - start - got, start + got);
      if (n === 0) return -1;
      got += n;
    }
    const at = buf.subarray(0, got).lastIndexOf(needle);
    if (at >= 0) return start + at;
    end = start;
  }
  return -1;
}
