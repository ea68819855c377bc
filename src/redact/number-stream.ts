import { SnapshotFormatError } from '../snapshot/format-error.js';
import { readChunk } from '../snapshot/number-array.js';
import { forwardState, ScanError } from '../snapshot/number-scan.js';
import { type NumberScanner, numberScanner } from '../snapshot/number-scanner.js';

/**
 * Reads a JSON array of unsigned integers from a file in batches, in bounded memory: a reused read buffer and
 * the caller's batch array. The redactor walks `nodes` and `edges` with these instead of keeping them.
 */
export class NumberStream {
  private readonly scanner: NumberScanner;
  /** File offset of scanner.buf[1]. */
  private pos: number;
  /** Bytes in the buffer (at buf[1, 1+n)). */
  private n = 0;
  /** Next buffer index to scan. */
  private from = 1;
  private readonly st = forwardState();
  private ended = false;
  /** Numbers handed out so far. */
  taken = 0;
  /** File offset of the closing `]`, once reached. */
  close = -1;

  constructor(
    private readonly fd: number,
    /** File offset just after the array's `[`. */
    readonly start: number,
    private readonly section: string,
    bufferSize = 1 << 20,
  ) {
    this.scanner = numberScanner(bufferSize);
    this.pos = start;
  }

  /** Fills `dest` from the front; returns how many numbers it holds (fewer than its length only at the end). */
  fill(dest: Uint32Array): number {
    const st = this.st;
    st.index = 0;
    while (!this.ended) {
      if (this.from >= 1 + this.n) {
        this.pos += this.n;
        this.n = readChunk(this.fd, this.scanner.buf, this.pos);
        this.from = 1;
        if (this.n === 0) throw new SnapshotFormatError(`file ends inside the ${this.section} array`, this.pos);
      }
      let close: number;
      try {
        close = this.scanner.forward(this.from, 1 + this.n, dest, st, true);
      } catch (e) {
        if (!(e instanceof ScanError)) throw e;
        if (e.kind !== 'count') throw new SnapshotFormatError(e.what, this.pos + e.pos - 1);
        // dest is full: go on from the byte that did not fit next time (the state is as it was before it)
        this.from = e.pos;
        this.taken += st.index;
        return st.index;
      }
      if (close >= 0) {
        this.ended = true;
        this.close = this.pos + close - 1;
      } else {
        this.from = 1 + this.n;
      }
    }
    this.taken += st.index;
    return st.index;
  }
}

/** Hands out the records of a NumberStream one batch at a time: `records` numbers per record. */
export class RecordBatches {
  readonly batch: Uint32Array;
  /** Records in the batch, and the next one to read. */
  count = 0;
  next = 0;

  constructor(
    readonly stream: NumberStream,
    readonly recordSize: number,
    recordsPerBatch = 16384,
  ) {
    this.batch = new Uint32Array(recordSize * recordsPerBatch);
  }

  /** The batch offset of the next record, refilling as needed; -1 when the array has no more. */
  advance(): number {
    if (this.next >= this.count) {
      const got = this.stream.fill(this.batch);
      if (got % this.recordSize !== 0) {
        throw new SnapshotFormatError(
          `${this.stream.taken} numbers in a ${this.recordSize}-field array`,
          this.stream.close >= 0 ? this.stream.close : this.stream.start,
        );
      }
      this.count = got / this.recordSize;
      this.next = 0;
      if (this.count === 0) return -1;
    }
    return this.next++ * this.recordSize;
  }
}
