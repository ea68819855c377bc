import { backwardState, forwardState, ScanError, TOO_LARGE } from './number-scan.js';
import type { NumberScanner } from './number-scanner.js';

/** The most numbers one scan of a `bytes`-byte range can write (k numbers need 2k-1 bytes; one more may end there). */
export function numbersIn(bytes: number): number {
  return Math.floor((bytes + 1) / 2) + 1;
}

/** Told of each run of whole records: values[at…] holds `count` records, the first being record number `first`. */
export interface RecordSink {
  records(values: Uint32Array, at: number, first: number, count: number): void;
}

/**
 * An array of `width`-number records, never held whole: `nodes` (checked and stored as they come, without
 * the fields nothing reads), `edges` (converted into 9-byte edges from the file's 12). Read front to back
 * through a window of `capacity` numbers (at least what
 * one scan can write): after each scan the whole records go to the sink and the start of a cut one stays.
 */
abstract class RecordWindow {
  protected readonly window: Uint32Array;

  constructor(
    readonly total: number,
    readonly width: number,
    capacity: number,
    protected readonly sink: RecordSink,
  ) {
    this.window = new Uint32Array(capacity + width);
  }
}

/**
 * Told of a number over 2^32-1 at `index` of the array (its value as read, exact below 2^53): true to keep it
 * (0xffffffff is stored in its place), false to let the scan fail.
 */
export type TooLarge = (index: number, value: number) => boolean;

export class ForwardRecords extends RecordWindow {
  readonly state = forwardState();
  /** Index in the array of window[0], a record boundary. */
  private base = 0;

  /** With `tooLarge`, the scanner must be the JS one, whose state on a too-large number is as before its comma. */
  constructor(
    total: number,
    width: number,
    capacity: number,
    sink: RecordSink,
    private readonly tooLarge?: TooLarge,
  ) {
    super(total, width, capacity, sink);
  }

  /** Scans buf[from, to) forward (see NumberScanner.forward); state indexes are positions in the whole array. */
  scan(scanner: NumberScanner, from: number, to: number, stopAtBracket: boolean): number {
    const st = this.state;
    // a window that ends where the array does, so a surplus number is caught as the whole-array scan would
    const view = this.window.subarray(0, Math.min(this.window.length, this.total - this.base));
    let close: number;
    for (;;) {
      st.index -= this.base;
      try {
        close = scanner.forward(from, to, view, st, stopAtBracket);
        break;
      } catch (e) {
        if (!(e instanceof ScanError && e.what === TOO_LARGE && this.tooLarge?.(st.index + this.base, st.value)))
          throw e;
        // go on from the byte after the number (a comma, `]` or whitespace) with a value that fits
        st.value = 0xffffffff;
        from = e.pos;
      } finally {
        st.index += this.base;
      }
    }
    const held = st.index - this.base;
    const whole = Math.floor(held / this.width);
    if (whole > 0) {
      this.sink.records(this.window, 0, this.base / this.width, whole);
      this.window.copyWithin(0, whole * this.width, held);
      this.base += whole * this.width;
    }
    return close;
  }

  /** The numbers of the record cut at the scan's end, and its index in the array. */
  held(): { values: Uint32Array; from: number } {
    return { values: this.window.slice(0, this.state.index - this.base), from: this.base };
  }
}

/** The same, read back to front (see NumberScanner.backward): the end of a cut record waits at the window's end. */
export class BackwardRecords extends RecordWindow {
  readonly state = backwardState(this.total);
  /** Index in the array just past the numbers held, a record boundary; they sit at the window's end. */
  private end = this.total;

  scan(scanner: NumberScanner, from: number, to: number): void {
    const st = this.state;
    const shift = this.end - this.window.length; // array index of window[0]
    // near the array's start, a window that starts where the array does, so a surplus number is caught
    const viewStart = Math.max(0, -shift);
    const at = shift + viewStart;
    st.index -= at;
    try {
      scanner.backward(from, to, this.window.subarray(viewStart), st);
    } finally {
      st.index += at;
    }
    const firstWhole = Math.ceil(st.index / this.width) * this.width;
    if (firstWhole < this.end) {
      this.sink.records(this.window, firstWhole - shift, firstWhole / this.width, (this.end - firstWhole) / this.width);
      this.window.copyWithin(this.window.length - (firstWhole - st.index), st.index - shift, firstWhole - shift);
      this.end = firstWhole;
    }
  }

  /** The numbers of the record cut at the scan's start, and the index in the array of the first. */
  held(): { values: Uint32Array; from: number } {
    const n = this.end - this.state.index;
    return { values: this.window.slice(this.window.length - n), from: this.state.index };
  }
}
