import { fsyncSync, write, writeSync } from 'node:fs';

/**
 * Where the redacted copy's bytes go: positioned writes to the temporary file, then `finish` makes it durable.
 * (On large files most bytes are written by the parse threads as they read them, and pushed to the disk as they go:
 * written-chunks.ts, background-syncs.ts.)
 */
export class OutputWriter {
  constructor(private readonly fd: number) {}

  /** Writes `bytes` at file offset `pos`. */
  write(bytes: Uint8Array, pos: number): void {
    for (let off = 0; off < bytes.length; ) off += writeSync(this.fd, bytes, off, bytes.length - off, pos + off);
  }

  /** Writes `bytes` at file offset `pos` on libuv's thread pool; `bytes` must not change until it resolves. */
  async writeInBackground(bytes: Uint8Array, pos: number): Promise<void> {
    for (let off = 0; off < bytes.length; ) {
      off += await new Promise<number>((resolve, reject) =>
        write(this.fd, bytes, off, bytes.length - off, pos + off, (e, n) => (e ? reject(e) : resolve(n))),
      );
    }
  }

  /** Every byte is written: returns once they are on disk. */
  finish(): void {
    fsyncSync(this.fd);
  }
}
