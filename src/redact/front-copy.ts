import { ftruncateSync, read, readSync } from 'node:fs';
import { runtimeError } from '../errors.js';
import { SnapshotFormatError } from '../snapshot/format-error.js';
import type { OutputWriter } from './output-writer.js';

/**
 * Copies the front of the snapshot (everything before the strings) to the same offsets of the output while the
 * passes that read it anyway go, so those bytes are read from the file once: `through` copies up to a byte it
 * looks for (the `]` of a number array), `put` takes bytes a parse has read, `fillTo` copies what is left, from
 * the last byte copied on.
 */
export class FrontCopy {
  private readonly buf = Buffer.allocUnsafe(1 << 20);
  /** Input bytes [0, copiedTo) are in the output. */
  copiedTo = 0;
  /** Where the strings' own bytes start, once known: nothing at or past it is copied (those bytes are redacted). */
  limit = Number.POSITIVE_INFINITY;

  constructor(
    private readonly inFd: number,
    private readonly outFd: number,
    private readonly writer: OutputWriter,
  ) {}

  /**
   * Copies from `from` through the first `byte` at or after it; returns that byte's offset, -1 at the file's end
   * (or at the limit).
   */
  through(byte: number, from: number): number {
    this.fillTo(from);
    for (;;) {
      const got = this.read(this.copiedTo, this.limit - this.copiedTo);
      if (got === 0) return -1;
      const at = this.buf.subarray(0, got).indexOf(byte);
      const n = at < 0 ? got : at + 1;
      this.write(this.buf, n);
      if (at >= 0) return this.copiedTo - 1;
    }
  }

  /** Takes `bytes` read from file offset `pos` (at or before copiedTo): the part not copied yet goes out. */
  put(bytes: Uint8Array, pos: number): void {
    this.fillTo(pos);
    const end = pos + bytes.length;
    if (end > this.limit) throw new SnapshotFormatError('a number array runs into the strings', this.limit);
    if (end > this.copiedTo) this.write(bytes.subarray(this.copiedTo - pos), end - this.copiedTo);
  }

  /** Copies input bytes [from, to), wherever copiedTo stands (another thread writes the bytes around them). */
  copyRange = (from: number, to: number): void => {
    for (let pos = from; pos < to; ) {
      const got = this.read(pos, to - pos);
      if (got === 0) throw runtimeError('the snapshot got shorter while it was being read', 'IO');
      this.writer.write(this.buf.subarray(0, got), pos);
      pos += got;
    }
  };

  /**
   * fillTo(end) on libuv's thread pool (a buffer of its own), while this thread does other work: each step goes on
   * when the event loop turns. Nothing else may copy until it resolves.
   */
  async fillInBackground(end: number): Promise<void> {
    const buf = Buffer.allocUnsafe(this.buf.length);
    while (this.copiedTo < end) {
      const want = Math.min(buf.length, end - this.copiedTo);
      const got = await new Promise<number>((resolve, reject) =>
        read(this.inFd, buf, 0, want, this.copiedTo, (e, n) => (e ? reject(e) : resolve(n))),
      );
      if (got === 0) throw runtimeError('the snapshot got shorter while it was being read', 'IO');
      await this.writer.writeInBackground(buf.subarray(0, got), this.copiedTo);
      this.copiedTo += got;
    }
  }

  /** Copies input bytes [copiedTo, end). */
  fillTo(end: number): void {
    while (this.copiedTo < end) {
      const got = this.read(this.copiedTo, end - this.copiedTo);
      if (got === 0) throw runtimeError('the snapshot got shorter while it was being read', 'IO');
      this.write(this.buf, got);
    }
  }

  /**
   * Copies input bytes [copiedTo, end) but for the ranges other threads wrote already (`written`: [from, to)
   * pairs in file order, from copied-pass.ts).
   */
  fillAround(written: readonly (readonly [number, number])[], end: number): void {
    for (const [from, to] of written) {
      this.fillTo(from);
      this.copiedTo = Math.max(this.copiedTo, to);
    }
    this.fillTo(end);
  }

  /** Forgets everything copied (the output is emptied), to start over. */
  reset(): void {
    ftruncateSync(this.outFd, 0);
    this.copiedTo = 0;
    this.limit = Number.POSITIVE_INFINITY;
  }

  private read(pos: number, most: number): number {
    return readSync(this.inFd, this.buf, 0, Math.min(most, this.buf.length), pos);
  }

  /** Writes from[0, n) at copiedTo. */
  private write(from: Uint8Array, n: number): void {
    this.writer.write(from.subarray(0, n), this.copiedTo);
    this.copiedTo += n;
  }
}
