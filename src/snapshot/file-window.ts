import { readSync } from 'node:fs';
import { SnapshotFormatError } from './format-error.js';

/** Longest run of bytes the window will hold at once (one string of the strings table must fit). */
const MAX_WINDOW = 1 << 30;

/**
 * A forward-moving window over a file: a reused buffer refilled with positioned reads, so a file of any size is
 * read in bounded memory. Positions are absolute file offsets. Bytes before the last `keepFrom` may be dropped.
 */
export class FileWindow {
  buf: Buffer;
  /** The buffer it was made with, taken back once a value too long for it has been passed. */
  private readonly home: Buffer;
  /** Valid bytes of `buf`, as a view (Buffer#indexOf has no end bound). */
  view: Buffer;
  /** File offset of buf[0]. */
  base = 0;
  len = 0;

  constructor(
    readonly fd: number,
    readonly size: number,
    capacity: number,
    /** Memory to use as the buffer (its length is the capacity), e.g. a WebAssembly reader's. */
    buffer?: Buffer,
  ) {
    this.buf = buffer ?? Buffer.allocUnsafe(Math.max(1, capacity));
    this.home = this.buf;
    this.view = this.buf.subarray(0, 0);
  }

  /** Makes [pos, pos+n) available, keeping bytes from keepFrom (≤ pos). False when the file ends first. */
  fill(pos: number, n: number, keepFrom = pos): boolean {
    const end = pos + n;
    if (pos >= this.base && end <= this.base + this.len) return true;
    if (pos >= this.size) return false;
    const keep = Math.min(keepFrom, pos);
    if (keep >= this.base && keep <= this.base + this.len) {
      const shift = keep - this.base;
      if (shift > 0) this.buf.copy(this.buf, 0, shift, this.len);
      this.len -= shift;
    } else {
      this.len = 0;
    }
    this.base = keep;
    const need = Math.min(end, this.size) - keep;
    if (this.buf !== this.home && need <= this.home.length && this.len <= this.home.length) {
      this.buf.copy(this.home, 0, 0, this.len);
      this.buf = this.home;
    }
    if (need > this.buf.length) {
      if (need > MAX_WINDOW) throw new SnapshotFormatError('a single value is too long', keep);
      const grown = Buffer.allocUnsafe(Math.min(MAX_WINDOW, Math.max(need, this.buf.length * 2)));
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
    }
    while (this.len < this.buf.length && this.base + this.len < this.size) {
      const got = readSync(this.fd, this.buf, this.len, this.buf.length - this.len, this.base + this.len);
      if (got === 0) break;
      this.len += got;
    }
    this.view = this.buf.subarray(0, this.len);
    return end <= this.base + this.len;
  }

  /** The byte at pos, or -1 past the end of the file. */
  byte(pos: number): number {
    const rel = pos - this.base;
    if (rel >= 0 && rel < this.len) return this.buf[rel];
    return this.fill(pos, 1) ? this.buf[pos - this.base] : -1;
  }

  /** Position of the first whitespace-free byte at or after pos (may be the file size). */
  skipWs(pos: number): number {
    for (;;) {
      const c = this.byte(pos);
      if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return pos;
      pos++;
    }
  }

  /** Absolute position of the next `byte` at or after pos, or -1 when the file ends first. Reads forward. */
  indexOf(byte: number, pos: number): number {
    for (;;) {
      if (!this.fill(pos, 1)) return -1;
      const rel = this.view.indexOf(byte, pos - this.base);
      if (rel >= 0) return this.base + rel;
      pos = this.base + this.len;
    }
  }

  /** Copies [from, to) out of the file (for the small header object). */
  read(from: number, to: number): Buffer {
    const out = Buffer.allocUnsafe(to - from);
    let got = 0;
    while (got < out.length) {
      const n = readSync(this.fd, out, got, out.length - got, from + got);
      if (n === 0) break;
      got += n;
    }
    return out.subarray(0, got);
  }
}
