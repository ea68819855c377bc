import { fsyncSync, writeSync } from 'node:fs';

/**
 * Where the redacted copy's bytes go: positioned writes to the temporary file, then `finish` makes it durable.
 * (Background fdatasyncs every 128 MB, to overlap the disk's work with the parsing, were tried: at 660 MB on the
 * shared 2-core box the final fsync waited no less and the parsing took longer.)
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
