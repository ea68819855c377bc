import { readSync } from 'node:fs';

/** How much of the file one read takes while searching back (a larger buffer's page faults cost more than its fewer reads save). */
const CHUNK = 1 << 20;

/** File offset of the last `needle` that lies whole in [from, to), -1 when none; read from the end, a chunk at a time. */
export function lastIndexBefore(fd: number, needle: Buffer, from: number, to: number): number {
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
