import { readSync, writeSync } from 'node:fs';
import { runtimeError } from '../errors.js';

/**
 * Copies the front of the snapshot (everything before the strings) to the same offsets of the output while the
 * layout pass reads it anyway, so those bytes are read from the file once: `through` copies up to a byte it
 * looks for (the `]` of a number array), `fillTo` copies what is left, from the last byte copied on.
 */
export class FrontCopy {
  private readonly buf = Buffer.allocUnsafe(4 << 20);
  /** Input bytes [0, copiedTo) are in the output. */
  copiedTo = 0;

  constructor(
    private readonly inFd: number,
    private readonly outFd: number,
  ) {}

  /** Copies from `from` through the first `byte` at or after it; returns that byte's offset, -1 at the file's end. */
  through(byte: number, from: number): number {
    this.fillTo(from);
    for (;;) {
      const got = this.read(this.copiedTo);
      if (got === 0) return -1;
      const at = this.buf.subarray(0, got).indexOf(byte);
      const n = at < 0 ? got : at + 1;
      this.write(n);
      if (at >= 0) return this.copiedTo - 1;
    }
  }

  /** Copies input bytes [copiedTo, end). */
  fillTo(end: number): void {
    while (this.copiedTo < end) {
      const got = this.read(this.copiedTo, end - this.copiedTo);
      if (got === 0) throw runtimeError('the snapshot got shorter while it was being read', 'IO');
      this.write(got);
    }
  }

  private read(pos: number, most = this.buf.length): number {
    return readSync(this.inFd, this.buf, 0, Math.min(most, this.buf.length), pos);
  }

  /** Writes buf[0, n) at copiedTo. */
  private write(n: number): void {
    for (let off = 0; off < n; ) off += writeSync(this.outFd, this.buf, off, n - off, this.copiedTo + off);
    this.copiedTo += n;
  }
}
