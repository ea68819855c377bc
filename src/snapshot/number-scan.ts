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
 * Scans buf[from, to) forward into dest. Stops at `]` when `stopAtBracket`, returning its position (the number
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
  const cap = dest.length;
  let i = from;
  try {
    while (i < to) {
      let c = buf[i];
      if (c >= 48 && c <= 57) {
        if (mode === AFTER_NUMBER) throw new ScanError('two numbers without a comma between them', i);
        v = v * 10 + (c - 48);
        i++;
        while (i < to && (c = buf[i]) >= 48 && c <= 57) {
          v = v * 10 + (c - 48);
          i++;
        }
        mode = IN_NUMBER;
        continue;
      }
      if (c === 44) {
        if (mode === EXPECT) throw new ScanError('missing number before comma', i);
        if (idx >= cap) throw new ScanError('more numbers than the snapshot meta announces', i, 'count');
        if (!(v <= MAX_U32)) throw new ScanError('number too large', i);
        dest[idx++] = v;
        v = 0;
        mode = EXPECT;
        st.sawToken = true;
      } else if (c === 10 || c === 32 || c === 13 || c === 9) {
        if (mode === IN_NUMBER) mode = AFTER_NUMBER;
      } else if (c === 93 && stopAtBracket) {
        if (mode !== EXPECT) {
          if (idx >= cap) throw new ScanError('more numbers than the snapshot meta announces', i, 'count');
          if (!(v <= MAX_U32)) throw new ScanError('number too large', i);
          dest[idx++] = v;
          v = 0;
          mode = EXPECT;
        } else if (st.sawToken) {
          throw new ScanError('missing number before ]', i);
        }
        return i;
      } else {
        throw new ScanError(unexpectedByte(c), i);
      }
      i++;
    }
    return -1;
  } finally {
    st.value = v;
    st.mode = mode;
    st.index = idx;
    if (mode !== EXPECT) st.sawToken = true;
  }
}

/** Scans buf[from, to) from its last byte down into dest, writing below st.index. The range never holds `[` or `]`. */
export function scanBackward(buf: Uint8Array, from: number, to: number, dest: Uint32Array, st: ScanState): void {
  let v = st.value;
  let scale = st.scale;
  let mode = st.mode;
  let idx = st.index;
  let i = to - 1;
  try {
    while (i >= from) {
      let c = buf[i];
      if (c >= 48 && c <= 57) {
        if (mode === AFTER_NUMBER) throw new ScanError('two numbers without a comma between them', i);
        v += (c - 48) * scale;
        scale *= 10;
        i--;
        while (i >= from && (c = buf[i]) >= 48 && c <= 57) {
          v += (c - 48) * scale;
          scale *= 10;
          i--;
        }
        mode = IN_NUMBER;
        continue;
      }
      if (c === 44) {
        if (mode === EXPECT) throw new ScanError('missing number before comma', i);
        if (idx === 0) throw new ScanError('more numbers than the snapshot meta announces', i, 'count');
        if (!(v <= MAX_U32)) throw new ScanError('number too large', i);
        dest[--idx] = v;
        v = 0;
        scale = 1;
        mode = EXPECT;
        st.sawToken = true;
      } else if (c === 10 || c === 32 || c === 13 || c === 9) {
        if (mode === IN_NUMBER) mode = AFTER_NUMBER;
      } else {
        throw new ScanError(unexpectedByte(c), i);
      }
      i--;
    }
  } finally {
    st.value = v;
    st.scale = scale;
    st.mode = mode;
    st.index = idx;
    if (mode !== EXPECT) st.sawToken = true;
  }
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
    return { what: 'two numbers without a comma between them', kind: 'syntax' };
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

function unexpectedByte(c: number): string {
  if (c === 93) return 'unexpected ] inside a number array';
  if (c >= 33 && c < 127) return `unexpected '${String.fromCharCode(c)}' in a number array`;
  return `unexpected byte 0x${c.toString(16).padStart(2, '0')} in a number array`;
}
