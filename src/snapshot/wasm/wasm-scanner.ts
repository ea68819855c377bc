import {
  EXPECT,
  MISSING_BEFORE_BRACKET,
  MISSING_BEFORE_COMMA,
  ScanError,
  type ScanState,
  scanBackward,
  storeProblem,
  TWO_NUMBERS,
  unexpectedByte,
} from '../number-scan.js';
import type { NumberScanner } from '../number-scanner.js';
import {
  INPUT_FROM,
  STATE_MODE,
  STATE_POS,
  STATE_SAW,
  STATE_VALUE,
  STATE_WRITTEN,
  STATUS,
  scanModule,
} from './scan-module.js';

type Forward = (
  i: number,
  to: number,
  out: number,
  room: number,
  bracket: number,
  mode: number,
  saw: number,
  value: number,
) => number;

/** A backward range shorter than this is left to the JS scanner (the split below does not pay). */
const BACKWARD_SPLIT_FROM = 256;
const MAX_U32 = 0xffffffff;
/** The JS scanner's words for each failed status (a bad byte is described by what it is). */
const PROBLEMS: Record<number, string> = {
  [STATUS.twoNumbers]: TWO_NUMBERS,
  [STATUS.missingBeforeComma]: MISSING_BEFORE_COMMA,
  [STATUS.missingBeforeBracket]: MISSING_BEFORE_BRACKET,
};

/**
 * The number scanner in WebAssembly (see scan-module.ts): its read buffer lives in the module's memory, the
 * numbers go to a staging area there and are copied into the destination array (a memcpy, ~4% of the scan).
 * A backward scan is split: the JS backward scanner takes the few bytes after the range's last comma and before
 * its first, the middle (whole numbers, each with its comma) is scanned forward here and copied below them.
 */
export class WasmNumberScanner implements NumberScanner {
  readonly buf: Uint8Array;
  private readonly forwardFn: Forward;
  private readonly state: Int32Array;
  private readonly value: Float64Array;
  private readonly staged: Uint32Array;
  private readonly stagedAt: number;
  /** Memory offset of buf[0]. */
  private readonly base = INPUT_FROM - 1;

  constructor(size: number) {
    const instance = new WebAssembly.Instance(scanModule(), {});
    const memory = instance.exports.mem as WebAssembly.Memory;
    const bufBytes = Math.max(1, size) + 2;
    this.stagedAt = (this.base + bufBytes + 64 + 15) & ~15;
    const capacity = Math.ceil(bufBytes / 2) + 1; // n bytes hold at most ceil(n/2) numbers
    const bytes = this.stagedAt + capacity * 4;
    const pages = Math.ceil(bytes / 65536) - memory.buffer.byteLength / 65536;
    if (pages > 0) memory.grow(pages);
    this.buf = new Uint8Array(memory.buffer, this.base, bufBytes);
    this.state = new Int32Array(memory.buffer, 0, 4);
    this.value = new Float64Array(memory.buffer, STATE_VALUE, 1);
    this.staged = new Uint32Array(memory.buffer, this.stagedAt, capacity);
    this.forwardFn = instance.exports.forward as Forward;
  }

  forward(from: number, to: number, dest: Uint32Array, st: ScanState, stopAtBracket: boolean): number {
    if (to >= this.buf.length) throw new RangeError('forward scan needs a spare byte after the range');
    const room = dest.length - st.index;
    const { status, pos, written } = this.run(from, to, room, stopAtBracket, st.mode, st.sawToken, st.value);
    dest.set(this.staged.subarray(0, written), st.index);
    st.index += written;
    st.mode = this.state[STATE_MODE >> 2];
    st.sawToken = this.state[STATE_SAW >> 2] !== 0;
    st.value = this.value[0];
    if (status === STATUS.done) return -1;
    if (status === STATUS.closed) return pos;
    if (status === STATUS.store) throw storeProblem(st.index, dest.length, pos);
    throw this.problem(status, pos);
  }

  backward(from: number, to: number, dest: Uint32Array, st: ScanState): void {
    const buf = this.buf;
    let last = to - 1;
    while (last >= from && buf[last] !== 44) last--;
    let first = from;
    while (first < last && buf[first] !== 44) first++;
    if (last - first < BACKWARD_SPLIT_FROM) {
      scanBackward(buf, from, to, dest, st);
      return;
    }
    scanBackward(buf, last, to, dest, st); // completes the number that goes on past `to`, with its comma
    const { status, pos, written } = this.run(first + 1, last + 1, st.index, false, EXPECT, true, 0);
    if (status !== STATUS.done || this.state[STATE_MODE >> 2] !== EXPECT) {
      if (status === STATUS.store && !(this.value[0] > MAX_U32)) {
        throw new ScanError('more numbers than the snapshot meta announces', pos, 'count');
      }
      throw this.problem(status, pos);
    }
    dest.set(this.staged.subarray(0, written), st.index - written);
    st.index -= written;
    st.value = 0;
    st.scale = 1;
    st.mode = EXPECT; // as after the comma at `first`, whose number is (the end of) the one before it
    scanBackward(buf, from, first, dest, st);
  }

  private run(
    from: number,
    to: number,
    room: number,
    bracket: boolean,
    mode: number,
    saw: boolean,
    value: number,
  ): { status: number; pos: number; written: number } {
    const buf = this.buf;
    const saved = buf[to];
    const status = this.forwardFn(
      this.base + from,
      this.base + to,
      this.stagedAt,
      Math.min(room, this.staged.length),
      bracket ? 1 : 0,
      mode,
      saw ? 1 : 0,
      Math.min(value, 2 ** 33), // any value over 2^32-1 is as good as another
    );
    buf[to] = saved;
    return { status, pos: this.state[STATE_POS >> 2] - this.base, written: this.state[STATE_WRITTEN >> 2] };
  }

  private problem(status: number, pos: number): ScanError {
    return new ScanError(PROBLEMS[status] ?? unexpectedByte(this.buf[pos]), pos);
  }
}
