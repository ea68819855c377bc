import { isAscii } from 'node:buffer';
import type { FileWindow } from './file-window.js';
import { SnapshotFormatError } from './format-error.js';
import { unexpected } from './json-skip.js';
import { ASCII, ESCAPED, type StringSink, type StringTable, StringTableBuilder } from './string-table.js';
import { STRINGS_STOP } from './wasm/strings-module.js';
import type { WasmStringScanner } from './wasm/wasm-strings.js';

/**
 * Reads the `strings` array, pos just after its `[`, into a StringTable of the strings' bytes: each string's
 * closing quote is found by a short byte loop that also copies the bytes (or by the native indexOf when the
 * string is long or spans refills). Escapes are checked here, so a bad one is reported at read time; strings are
 * decoded only when asked for. Returns the table and the position after the closing `]`.
 */
export function readStrings(
  win: FileWindow,
  pos: number,
  onBytes: (bytes: number) => void,
  chunkBytes?: number,
  /** The WebAssembly reader of strings, whose buffer is the window's (none: this JS alone). */
  plain?: WasmStringScanner,
): { strings: StringTable; end: number } {
  return readStringsInto(win, pos, onBytes, new StringTableBuilder(win.size - pos, chunkBytes), plain);
}

/** readStrings into any StringSink: returns what its `finish` makes, and the position after the closing `]`. */
export function readStringsInto<T>(
  win: FileWindow,
  pos: number,
  onBytes: (bytes: number) => void,
  table: StringSink & { finish(): T },
  plain?: WasmStringScanner,
): { strings: T; end: number } {
  const slashes = new BackslashFinder(win);
  let p = win.skipWs(pos);
  let reported = pos;
  if (win.byte(p) === 93) return { strings: table.finish(), end: p + 1 };
  for (;;) {
    let end = -1; // the closing quote of the string at p
    // most strings in a run, by WebAssembly; it stops at the first it leaves to the code below
    if (plain !== undefined && win.buf === plain.window) {
      const taken = plain.take(win, p, table);
      if (taken.stop === STRINGS_STOP.separator) end = taken.pos - 1;
      else p = taken.pos;
      if (taken.pos - reported > 1 << 20) {
        onBytes(taken.pos - reported);
        reported = taken.pos;
      }
    }
    if (end < 0) end = oneString(win, p, table, slashes);
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
      return { strings: table.finish(), end: p + 1 };
    } else {
      throw unexpected(win, p, "',' or ']' in the strings");
    }
    if (p - reported > 1 << 20) {
      onBytes(p - reported);
      reported = p;
    }
  }
}

/** One string at p (its opening quote) into the table: a short JS loop, or indexOf and a copy for long, escaped or cut ones. Returns its closing quote. */
function oneString(win: FileWindow, p: number, table: StringSink, slashes: BackslashFinder): number {
  if (win.byte(p) !== 34) throw unexpected(win, p, 'a string');
  const start = p + 1;
  let from = start;
  let escaped = false;
  let end = -1;
  // fast path, for most strings: a plain string whose closing quote is in the window and whose bytes fit in
  // the table's chunk, copied as they are scanned (a JS loop beats native indexOf and copy on strings this short)
  const buf = win.buf;
  const base = win.base;
  const windowEnd = win.len;
  const out = table.chunk;
  let i = start - base;
  let w = table.used;
  const stop = Math.min(windowEnd, i + out.length - w);
  let bits = 0;
  while (i < stop) {
    const c = buf[i];
    if (c === 34 || c === 92) break;
    bits |= c;
    out[w++] = c;
    i++;
  }
  const copied = i < windowEnd && buf[i] === 34;
  if (copied) {
    end = base + i;
    table.add(w, bits < 128 ? ASCII : 0);
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
  if (!copied) {
    const first = start - win.base;
    const past = end - win.base;
    if (escaped && !validEscapes(win.buf, first, past)) {
      throw new SnapshotFormatError('bad escape in a string', start - 1);
    }
    const flags = escaped ? ESCAPED : isAscii(win.buf.subarray(first, past)) ? ASCII : 0;
    table.copy(win.buf, first, past, flags, win.size - start);
  }
  return end;
}

/**
 * Whether the escaped string bytes[from … to) is one JSON.parse accepts: every escape one of \" \\ \/ \b \f \n \r
 * \t or \u and four hex digits, and no raw control character (the scan ends a string only after a whole escape).
 */
export function validEscapes(bytes: Uint8Array, from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const c = bytes[k];
    if (c < 0x20) return false;
    if (c !== 92) continue;
    if (++k >= to) return false;
    const e = bytes[k];
    if (e === 117) {
      if (k + 4 >= to) return false;
      for (let h = k + 1; h <= k + 4; h++) if (!isHexDigit(bytes[h])) return false;
      k += 4;
    } else if (!SIMPLE_ESCAPES.includes(e)) {
      return false;
    }
  }
  return true;
}

// " \ / b f n r t
const SIMPLE_ESCAPES = [34, 92, 47, 98, 102, 110, 114, 116];

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
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
