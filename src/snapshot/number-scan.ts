/**
 * Tight loops that turn the bytes of a JSON array of unsigned integers straight into a Uint32Array.
 * A scan covers any byte range of the array body (between `[` and `]`); its state carries a number split
 * across ranges. `scanForward` fills from the front, `scanBackward` from the back, so two threads can
 * parse one array from both ends and join where they meet (see `joinScans`).
 */

/** Scanner modes: expecting a value (after `[` or `,`), inside a number, after a number and whitespace. */
export const EXPECT = 0;
export const IN_NUMBER = 1;
export const AFTER_NUMBER = 2;

const MAX_U32 = 0xffffffff;

/** The words of the scans' syntax problems (the WebAssembly scanner reports the same). */
export const TWO_NUMBERS = 'two numbers without a comma between them';
export const MISSING_BEFORE_COMMA = 'missing number before comma';
export const MISSING_BEFORE_BRACKET = 'missing number before ]';
export const TOO_LARGE = 'number too large';

export interface ScanState {
  /** Value of the number being read (forward: its leading digits; backward: its trailing digits). */
  value: number;
  /** Backward only: 10^(digits read so far) of the number being read. */
  scale: number;
  mode: number;
  /** Forward: next index to write. Backward: lowest index written (writes go to index-1). */
  index: number;
  /** True once the scan has seen a comma or a number (used to tell `[]` from `[,` when joining). */
  sawToken: boolean;
}

export function forwardState(): ScanState {
  return { value: 0, scale: 1, mode: EXPECT, index: 0, sawToken: false };
}

export function backwardState(total: number): ScanState {
  return { value: 0, scale: 1, mode: EXPECT, index: total, sawToken: false };
}

/** A problem found by a scan: `pos` is relative to the scanned buffer; `count` problems need a rescan for their offset. */
export class ScanError extends Error {
  constructor(
    readonly what: string,
    readonly pos: number,
    readonly kind: 'syntax' | 'count' = 'syntax',
  ) {
    super(what);
  }
}

/**
 * Scans buf[from, to) forward into dest (buf[to] must exist: it briefly holds a sentinel). Stops at `]` when `stopAtBracket`, returning its position (the number
 * before it is written); returns -1 when the range ends first. Throws ScanError on anything that is not a digit,
 * comma or whitespace, on a number over 2^32-1, and on more numbers than dest holds.
 */
export function scanForward(
  buf: Uint8Array,
  from: number,
  to: number,
  dest: Uint32Array,
  st: ScanState,
  stopAtBracket: boolean,
): number {
  let v = st.value;
  let mode = st.mode;
  let idx = st.index;
  let saw = st.sawToken;
  const cap = dest.length;
  let i = from;
  let problem: ScanError | null = null;
  let close = -1;
  // a non-digit sentinel just past the range lets the digit loop run without a bounds test
  if (to >= buf.length) throw new RangeError('scanForward needs a spare byte after the range');
  const saved = buf[to];
  buf[to] = 0;
  while (i < to) {
    const c = buf[i];
    let d = c - 48;
    if (d >>> 0 < 10) {
      if (mode === AFTER_NUMBER) {
        problem = new ScanError(TWO_NUMBERS, i);
        break;
      }
      v = v * 10 + d;
      i++;
      while ((d = buf[i] - 48) >>> 0 < 10) {
        v = v * 10 + d;
        i++;
      }
      saw = true;
      // the common case, a comma right after the digits: store without another trip round the loop
      if (buf[i] === 44) {
        if (idx >= cap || !(v <= MAX_U32)) {
          mode = IN_NUMBER; // leave the state as it is before the comma
          problem = storeProblem(idx, cap, i);
          break;
        }
        dest[idx++] = v;
        v = 0;
        mode = EXPECT;
        i++;
      } else {
        mode = IN_NUMBER;
      }
      continue;
    }
    if (c === 44) {
      if (mode === EXPECT) {
        problem = new ScanError(MISSING_BEFORE_COMMA, i);
        break;
      }
      if (idx >= cap || !(v <= MAX_U32)) {
        problem = storeProblem(idx, cap, i);
        break;
      }
      dest[idx++] = v;
      v = 0;
      mode = EXPECT;
      saw = true;
    } else if (c === 10 || c === 32 || c === 13 || c === 9) {
      if (mode === IN_NUMBER) mode = AFTER_NUMBER;
    } else if (c === 93 && stopAtBracket) {
      if (mode !== EXPECT) {
        if (idx >= cap || !(v <= MAX_U32)) {
          problem = storeProblem(idx, cap, i);
          break;
        }
        dest[idx++] = v;
        v = 0;
        mode = EXPECT;
      } else if (saw) {
        problem = new ScanError(MISSING_BEFORE_BRACKET, i);
        break;
      }
      close = i;
      break;
    } else {
      problem = new ScanError(unexpectedByte(c), i);
      break;
    }
    i++;
  }
  buf[to] = saved;
  st.value = v;
  st.mode = mode;
  st.index = idx;
  st.sawToken = saw;
  if (problem) throw problem;
  return close;
}

/**
 * Scans buf[from, to) from its last byte down into dest, writing below st.index (buf[from-1] must exist: it
 * briefly holds a sentinel). The range never holds `[` or `]`.
 */
export function scanBackward(buf: Uint8Array, from: number, to: number, dest: Uint32Array, st: ScanState): void {
  let v = st.value;
  let scale = st.scale;
  let mode = st.mode;
  let idx = st.index;
  let saw = st.sawToken;
  let i = to - 1;
  let problem: ScanError | null = null;
  if (from < 1) throw new RangeError('scanBackward needs a spare byte before the range');
  const saved = buf[from - 1];
  buf[from - 1] = 0;
  while (i >= from) {
    const c = buf[i];
    let d = c - 48;
    if (d >>> 0 < 10) {
      if (mode === AFTER_NUMBER) {
        problem = new ScanError(TWO_NUMBERS, i);
        break;
      }
      v += d * scale;
      scale *= 10;
      i--;
      while ((d = buf[i] - 48) >>> 0 < 10) {
        v += d * scale;
        scale *= 10;
        i--;
      }
      saw = true;
      // the common case, a comma right before the digits
      if (buf[i] === 44) {
        if (idx === 0 || !(v <= MAX_U32)) {
          mode = IN_NUMBER;
          problem = storeProblem(idx === 0 ? 1 : 0, 1, i);
          break;
        }
        dest[--idx] = v;
        v = 0;
        scale = 1;
        mode = EXPECT;
        i--;
      } else {
        mode = IN_NUMBER;
      }
      continue;
    }
    if (c === 44) {
      if (mode === EXPECT) {
        problem = new ScanError(MISSING_BEFORE_COMMA, i);
        break;
      }
      if (idx === 0 || !(v <= MAX_U32)) {
        problem = storeProblem(idx === 0 ? 1 : 0, 1, i);
        break;
      }
      dest[--idx] = v;
      v = 0;
      scale = 1;
      mode = EXPECT;
      saw = true;
    } else if (c === 10 || c === 32 || c === 13 || c === 9) {
      if (mode === IN_NUMBER) mode = AFTER_NUMBER;
    } else {
      problem = new ScanError(unexpectedByte(c), i);
      break;
    }
    i--;
  }
  buf[from - 1] = saved;
  st.value = v;
  st.scale = scale;
  st.mode = mode;
  st.index = idx;
  st.sawToken = saw;
  if (problem) throw problem;
}

/** Why a number could not be stored: no room left (a count problem) or too big for 32 bits. */
export function storeProblem(idx: number, cap: number, pos: number): ScanError {
  if (idx >= cap) return new ScanError('more numbers than the snapshot meta announces', pos, 'count');
  return new ScanError(TOO_LARGE, pos);
}

/**
 * Joins a forward scan that ended exactly where a backward scan ended (same byte), completing the number split
 * between them. Returns null when the array is whole and has exactly `total` numbers, else what is wrong:
 * a syntax problem at the meeting point or a count mismatch (whose honest offset the caller must find).
 */
export function joinScans(
  front: ScanState,
  back: ScanState,
  dest: Uint32Array,
  total: number,
): { what: string; kind: 'syntax' | 'count' } | null {
  const f = front.mode;
  const b = back.mode;
  if (f === EXPECT && b === EXPECT) {
    if (!front.sawToken && !back.sawToken) return total === 0 ? null : { what: 'fewer numbers', kind: 'count' };
    return { what: 'missing number between commas', kind: 'syntax' };
  }
  if ((f === AFTER_NUMBER && b !== EXPECT) || (f === IN_NUMBER && b === AFTER_NUMBER)) {
    return { what: TWO_NUMBERS, kind: 'syntax' };
  }
  let value: number;
  if (f !== EXPECT && b === IN_NUMBER) value = front.value * back.scale + back.value;
  else if (f !== EXPECT) value = front.value;
  else value = back.value;
  if (front.index + 1 !== back.index) return { what: 'count mismatch', kind: 'count' };
  if (!(value <= MAX_U32)) return { what: 'number too large', kind: 'syntax' };
  dest[front.index] = value;
  return null;
}

export function unexpectedByte(c: number): string {
  if (c === 93) return 'unexpected ] inside a number array';
  if (c >= 33 && c < 127) return `unexpected '${String.fromCharCode(c)}' in a number array`;
  return `unexpected byte 0x${c.toString(16).padStart(2, '0')} in a number array`;
}
