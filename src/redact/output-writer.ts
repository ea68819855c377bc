import { fsyncSync, writeSync } from 'node:fs';

/**
 * Where the redacted copy's bytes go: positioned writes to the temporary file, then `finish` makes it durable.
 * (On large files most bytes are written, and pushed to the disk as they go, by the copy thread: copy-worker.ts.)
 */
export class OutputWriter {
  constructor(private readonly fd: number) {}

  /** Writes `bytes` at file offset `pos`. */
  write(bytes: Uint8Array, pos: number): void {
    for (let off = 0; off < bytes.length; ) off += writeSync(this.fd, bytes, off, bytes.length - off, pos + off);
  }

  /** Every byte is written: returns once they are on disk. */
  finish(): void {
    fsyncSync(this.fd);
  }
}
