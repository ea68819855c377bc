import type { FileWindow } from './file-window.js';
import { SnapshotFormatError } from './format-error.js';

const LITERALS: Record<number, string> = { 116: 'true', 102: 'false', 110: 'null' };

/**
 * Deepest nesting skipValue follows. V8 nests only `trace_tree` (one level per stack frame of an allocation, far
 * fewer than this); a file nested deeper is refused instead of growing the container stack with the file.
 */
export const MAX_NESTING = 1 << 16;

/**
 * Checks and steps over one JSON value starting at pos (sections heapwatch does not keep, such as
 * `trace_tree` or `samples`, and the `snapshot` header). Iterative, so deep nesting cannot overflow the stack.
 * Returns the position just after the value; gives up once it is more than `limit` bytes long.
 */
export function skipValue(win: FileWindow, pos: number, limit = Number.POSITIVE_INFINITY): number {
  // the containers we are in (1 = array, 2 = object), a byte each up to MAX_NESTING: bounded at any file size
  const stack = new Uint8Array(MAX_NESTING);
  let depth = 0;
  let p = win.skipWs(pos);
  for (;;) {
    // a value at p
    const c = win.byte(p);
    if (c === 123 || c === 91) {
      const kind = c === 91 ? 1 : 2;
      const opened = p;
      p = win.skipWs(p + 1);
      const close = kind === 1 ? 93 : 125;
      if (win.byte(p) === close) {
        p++;
      } else {
        if (depth === MAX_NESTING) throw new SnapshotFormatError(`nested deeper than ${MAX_NESTING} levels`, opened);
        stack[depth++] = kind;
        if (kind === 2) p = objectKey(win, p);
        continue;
      }
    } else if (c === 34) {
      p = skipString(win, p);
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      p = skipNumber(win, p);
    } else if (LITERALS[c] !== undefined) {
      const word = LITERALS[c];
      for (let k = 0; k < word.length; k++) {
        if (win.byte(p + k) !== word.charCodeAt(k)) throw unexpected(win, p + k, 'a JSON value');
      }
      p += word.length;
    } else {
      throw unexpected(win, p, 'a JSON value');
    }
    if (p - pos > limit) throw new SnapshotFormatError('value too long (not closed?)', pos);
    // after a value: close containers or go on to the next element
    for (;;) {
      if (depth === 0) return p;
      p = win.skipWs(p);
      const d = win.byte(p);
      const kind = stack[depth - 1];
      if (d === 44) {
        p = win.skipWs(p + 1);
        if (kind === 2) p = objectKey(win, p);
        break;
      }
      if ((kind === 1 && d === 93) || (kind === 2 && d === 125)) {
        depth--;
        p++;
        continue;
      }
      throw unexpected(win, p, kind === 1 ? "',' or ']'" : "',' or '}'");
    }
  }
}

/** Steps over `"key" :` and whitespace, returning where the value starts. */
function objectKey(win: FileWindow, p: number): number {
  if (win.byte(p) !== 34) throw unexpected(win, p, 'an object key');
  p = win.skipWs(skipString(win, p));
  if (win.byte(p) !== 58) throw unexpected(win, p, "':'");
  return win.skipWs(p + 1);
}

/** Steps over a string starting at its opening quote; returns the position after the closing quote. */
export function skipString(win: FileWindow, p: number): number {
  const start = p;
  p++;
  for (;;) {
    const c = win.byte(p);
    if (c === 34) return p + 1;
    if (c === 92) p++;
    else if (c < 0) throw new SnapshotFormatError('file ends inside a string', win.size);
    else if (c < 32) throw new SnapshotFormatError('control character inside a string', p);
    p++;
    if (p - start > 1 << 28) throw new SnapshotFormatError('string too long', start);
  }
}

/** Steps over a JSON number (-?int frac? exp?) starting at p. */
function skipNumber(win: FileWindow, p: number): number {
  const start = p;
  let c = win.byte(p);
  if (c === 45) c = win.byte(++p);
  if (c === 48) {
    c = win.byte(++p);
  } else if (c >= 49 && c <= 57) {
    do c = win.byte(++p);
    while (c >= 48 && c <= 57);
  } else {
    throw new SnapshotFormatError('malformed number', start);
  }
  if (c === 46) {
    c = win.byte(++p);
    if (!(c >= 48 && c <= 57)) throw new SnapshotFormatError('malformed number', start);
    do c = win.byte(++p);
    while (c >= 48 && c <= 57);
  }
  if (c === 101 || c === 69) {
    c = win.byte(++p);
    if (c === 43 || c === 45) c = win.byte(++p);
    if (!(c >= 48 && c <= 57)) throw new SnapshotFormatError('malformed number', start);
    do c = win.byte(++p);
    while (c >= 48 && c <= 57);
  }
  return p;
}

export function unexpected(win: FileWindow, p: number, expected: string): SnapshotFormatError {
  const c = win.byte(p);
  if (c < 0) return new SnapshotFormatError(`file ends where ${expected} was expected`, win.size);
  const shown = c >= 33 && c < 127 ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
  return new SnapshotFormatError(`expected ${expected}, found ${shown}`, p);
}
