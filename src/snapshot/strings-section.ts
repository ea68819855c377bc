import type { FileWindow } from './file-window.js';
import { SnapshotFormatError } from './format-error.js';
import { unexpected } from './json-skip.js';

/**
 * Reads the `strings` array, pos just after its `[`: each string's closing quote is found by a short byte loop
 * (or the native indexOf when the string is long or spans refills); the bytes are decoded as they are when
 * they hold no escape (Latin-1 when all ASCII, else UTF-8), or through JSON.parse when they do (\uXXXX pairs,
 * lone surrogates). Returns the strings and the position after the closing `]`.
 */
export function readStrings(
  win: FileWindow,
  pos: number,
  onBytes: (bytes: number) => void,
): { strings: string[]; end: number } {
  const strings: string[] = [];
  const slashes = new BackslashFinder(win);
  let p = win.skipWs(pos);
  let reported = pos;
  if (win.byte(p) === 93) return { strings, end: p + 1 };
  for (;;) {
    if (win.byte(p) !== 34) throw unexpected(win, p, 'a string');
    const start = p + 1;
    let from = start;
    let escaped = false;
    let end = -1;
    // fast path, for most strings: a plain string whose closing quote is in the window (a JS loop beats a native
    // indexOf call on strings this short)
    const buf = win.buf;
    const base = win.base;
    const windowEnd = win.len;
    let i = start - base;
    let bits = 0;
    while (i < windowEnd) {
      const c = buf[i];
      if (c === 34 || c === 92) break;
      bits |= c;
      i++;
    }
    let ascii = false;
    if (i < windowEnd && buf[i] === 34) {
      end = base + i;
      ascii = bits < 128;
    }
    // invariant: [start, from) is scanned and `from` is not inside an escape
    while (end < 0) {
      if (!win.fill(from, 1, start)) throw new SnapshotFormatError('file ends inside a string', win.size);
      const rel = win.view.indexOf(34, from - win.base);
      const limit = rel < 0 ? win.base + win.len : win.base + rel;
      const slash = slashes.nextBackslash(from);
      if (slash < 0 || slash >= limit) {
        if (rel >= 0) {
          end = limit;
          break;
        }
        from = limit;
        continue;
      }
      // walk the escapes up to the quote (or the window's end): is that quote the closing one?
      escaped = true;
      let k = slash;
      while (k < limit) k += win.buf[k - win.base] === 92 ? 2 : 1;
      if (rel >= 0 && k === limit) {
        end = limit;
        break;
      }
      from = k;
    }
    // each string is its own copy (slices of a decoded window would keep every window's text alive)
    strings.push(
      escaped
        ? decodeEscaped(win, start, end)
        : ascii
          ? win.buf.toString('latin1', start - win.base, end - win.base)
          : utf8(win, start, end),
    );
    // fast path for the separators V8 writes, `,"` and `,\n"`
    const after = end + 1 - win.base;
    if (after + 2 < win.len && win.buf[after] === 44) {
      const next = win.buf[after + 1];
      if (next === 34 || (next === 10 && win.buf[after + 2] === 34)) {
        p = end + (next === 34 ? 2 : 3);
        if (p - reported > 1 << 20) {
          onBytes(p - reported);
          reported = p;
        }
        continue;
      }
    }
    p = win.skipWs(end + 1);
    const c = win.byte(p);
    if (c === 44) {
      p = win.skipWs(p + 1);
    } else if (c === 93) {
      onBytes(p + 1 - reported);
      return { strings, end: p + 1 };
    } else {
      throw unexpected(win, p, "',' or ']' in the strings");
    }
    if (p - reported > 1 << 20) {
      onBytes(p - reported);
      reported = p;
    }
  }
}

function decodeEscaped(win: FileWindow, start: number, end: number): string {
  const json = `"${win.buf.toString('utf8', start - win.base, end - win.base)}"`;
  try {
    return JSON.parse(json) as string;
  } catch {
    throw new SnapshotFormatError('bad escape in a string', start - 1);
  }
}

function utf8(win: FileWindow, start: number, end: number): string {
  return win.buf.toString('utf8', start - win.base, end - win.base);
}

/** Finds backslashes for the escape walk, caching the last answer so a window is searched once. */
class BackslashFinder {
  private slashFrom = -1;
  private slashAt = -1;
  private slashBase = -1;
  private slashLen = -1;

  constructor(private readonly win: FileWindow) {}

  /** Position of the first backslash at or after `from` in the window, or -1; cached so it is O(window). */
  nextBackslash(from: number): number {
    const win = this.win;
    if (win.base !== this.slashBase || win.len !== this.slashLen || from < this.slashFrom) {
      this.slashBase = win.base;
      this.slashLen = win.len;
      this.slashFrom = -1;
    }
    if (this.slashFrom < 0 || (this.slashAt >= 0 && this.slashAt < from)) {
      const rel = win.view.indexOf(92, from - win.base);
      this.slashAt = rel < 0 ? -1 : win.base + rel;
      this.slashFrom = from;
    }
    return this.slashAt;
  }
}
