import { readSync } from 'node:fs';
import { runtimeError } from '../errors.js';
import type { OutputWriter } from './output-writer.js';
import { isNumberLabel, type Replacer } from './replacement.js';
import type { StringSizes } from './string-sizes.js';
import type { StringsSource } from './strings-source.js';
import { CODE, DATA, NUMBER_NAME } from './uses.js';

/** 1 MiB: each page of a new buffer costs a page fault, dear on these machines; a write per MiB costs little. */
const OUT_BUFFER = 1 << 20;
const QUOTE = 0x22;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
/** The placeholder character, `x`. */
const PLACEHOLDER = 0x78;

/**
 * A write buffer over a file descriptor, and a second one: a full buffer is written on libuv's thread pool
 * (flushInBackground) while the other fills.
 */
export class Output {
  private buf: Buffer;
  /** The same memory as a plain typed array: its fill is V8's own (Buffer's goes through Node's checks). */
  private bytes: Uint8Array;
  private used = 0;
  private sinceYield = 0;
  /** The buffer being written in the background (never `buf`), and that write. */
  private spare: Buffer | null = null;
  private pending: Promise<void> | null = null;
  /** Strings replaced by redactedStrings so far. */
  redacted = 0;

  constructor(
    private readonly writer: OutputWriter,
    /** File offset of the next byte written. */
    public position: number,
    /** Bytes of each of the two buffers. */
    private readonly bufferSize = OUT_BUFFER,
  ) {
    this.buf = Buffer.allocUnsafe(bufferSize);
    this.bytes = new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }

  /** Makes room for n bytes in the buffer (n at most its size). */
  room(n: number): void {
    if (this.used + n > this.buf.length) this.flush();
  }

  byte2(a: number, b: number): void {
    this.buf[this.used++] = a;
    this.buf[this.used++] = b;
  }

  /**
   * Strings [from, to) of the strings section as the redacted copy has them, each after `,\n` but the first:
   * kept ones as the file has them (read again from it through `source`), the others replaced (see Replacer),
   * counted in `redacted`. Returns the index of the first string not written: `to`, or sooner when the buffer is
   * full (the caller then flushes it in the background and goes on). One loop over a run of strings (the caller's
   * runs are short enough for it to be optimized soon): it runs millions of times, once per process, so it is
   * kept small (the uses and placeholder lengths read from their arrays, the rare strings handed to oddString),
   * to be optimized early and seldom deoptimized.
   */
  redactedStrings(
    sizes: StringSizes,
    source: StringsSource,
    uses: Uint8Array,
    replacer: Replacer,
    from: number,
    to: number,
  ): number {
    const bytes = this.bytes;
    const hashed = replacer.style === 'keyed-hash';
    const { lengths, ends } = sizes;
    const limit = bytes.length - 4;
    let redacted = 0;
    let u = this.used;
    // where the source's window stands: the strings after V8's `,\n"` are taken here, the others by source.next
    let src = source.buf;
    let rel = source.rel;
    let len = source.len;
    let i = from;
    for (; i < to; i++) {
      const raw = ends[i + 1] - ends[i];
      // the buffer is full: the caller flushes it (a string longer than the whole buffer goes to oddString); a
      // placeholder is never longer than the bytes it replaces
      if (u + raw > limit && u > 0 && raw <= limit) break;
      let at: number;
      if (
        i > 0 &&
        rel + 3 + raw < len &&
        src[rel] === COMMA &&
        src[rel + 1] === NEWLINE &&
        src[rel + 2] === QUOTE &&
        src[rel + 3 + raw] === QUOTE
      ) {
        at = rel + 3;
        rel = at + raw + 1;
      } else {
        source.rel = rel;
        at = source.next(raw);
        src = source.buf;
        rel = source.rel;
        len = source.len;
      }
      const use = uses[i];
      // keeps(): named by code, or only a heap number's name (then kept when it is one of V8's labels)
      const keep =
        (use & CODE) !== 0 ||
        ((use & NUMBER_NAME) !== 0 && (use & DATA) === 0 && isNumberLabel(src, at, at + raw, sizes.flagsOf(i)));
      // a placeholder is as long as the value: -1 in lengths for plain ASCII, as long as its bytes
      const length = keep ? -1 : lengths[i];
      const n = length < 0 ? raw : length;
      if (!keep) redacted++;
      if ((hashed && !keep) || u + n > limit) {
        // a keyed hash, or a string longer than the buffer
        this.used = u;
        this.oddString(src.subarray(at, at + raw), sizes.flagsOf(i), replacer, i, keep, n);
        u = this.used;
        continue;
      }
      if (i > 0) {
        bytes[u++] = COMMA;
        bytes[u++] = NEWLINE;
      }
      bytes[u++] = QUOTE;
      // short runs by a loop (a builtin's call costs more than it saves on them)
      if (keep) {
        if (n > 64) bytes.set(src.subarray(at, at + n), u);
        else for (let j = 0; j < n; j++) bytes[u + j] = src[at + j];
        u += n;
      } else if (n > 64) {
        bytes.fill(PLACEHOLDER, u, u + n);
        u += n;
      } else for (const end = u + n; u < end; ) bytes[u++] = PLACEHOLDER;
      bytes[u++] = QUOTE;
    }
    source.rel = rel;
    this.used = u;
    this.redacted += redacted;
    return i;
  }

  /**
   * Writes the buffer's bytes on libuv's thread pool and goes on in the other buffer (once the write before has
   * ended): the write's system time is spent on the pool, beside this thread.
   */
  async flushInBackground(): Promise<void> {
    if (this.used === 0) return;
    await this.pending;
    const full = this.buf;
    const n = this.used;
    this.pending = this.writer.writeInBackground(full.subarray(0, n), this.position);
    // awaited at the next flush or drain: a failure before then is not an unhandled rejection
    this.pending.catch(() => {});
    this.position += n;
    this.buf = this.spare ?? Buffer.allocUnsafe(this.bufferSize);
    this.bytes = new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    this.spare = full;
    this.used = 0;
  }

  /** Waits for the write in the background (it throws what it failed with); the buffer is then flushed. */
  async drain(): Promise<void> {
    const pending = this.pending;
    this.pending = null;
    await pending;
    this.flush();
  }

  /** Waits for the write in the background whatever its outcome (before the descriptor is closed on a failure). */
  async settle(): Promise<void> {
    await this.pending?.catch(() => {});
  }

  /**
   * String i as redactedStrings writes it, across buffers when it must (`raw`: its bytes as the file has them,
   * with `flags`; `n`: their count or its placeholder's length).
   */
  private oddString(raw: Uint8Array, flags: number, replacer: Replacer, i: number, keep: boolean, n: number): void {
    this.room(4);
    if (i > 0) this.byte2(COMMA, NEWLINE);
    if (keep) this.quoted(raw);
    else if (replacer.style === 'keyed-hash') this.quoted(Buffer.from(replacer.hashOf(raw, flags), 'latin1'));
    else this.placeholder(n);
  }

  /** `"<bytes>"`. */
  quoted(b: Uint8Array): void {
    this.room(1);
    this.buf[this.used++] = QUOTE;
    if (this.used + b.length + 1 > this.buf.length) this.flush();
    if (b.length + 1 > this.buf.length) this.writeOut(b);
    else {
      this.buf.set(b, this.used);
      this.used += b.length;
    }
    this.room(1);
    this.buf[this.used++] = QUOTE;
  }

  /** `"xxx…"`, n x's, across as many buffers as it takes (redactedStrings writes those that fit itself). */
  placeholder(n: number): void {
    this.room(1);
    this.buf[this.used++] = QUOTE;
    for (let left = n; left > 0; ) {
      if (this.used === this.buf.length) this.flush();
      const k = Math.min(left, this.buf.length - this.used);
      this.buf.fill(PLACEHOLDER, this.used, this.used + k);
      this.used += k;
      left -= k;
    }
    this.room(1);
    this.buf[this.used++] = QUOTE;
  }

  flush(): void {
    if (this.used > 0) this.writeOut(this.buf.subarray(0, this.used));
    this.used = 0;
  }

  /** Copies input bytes [from, to) as they are. */
  async copyFrom(fd: number, from: number, to: number): Promise<void> {
    this.flush();
    for (let pos = from; pos < to; ) {
      const got = readSync(fd, this.buf, 0, Math.min(this.buf.length, to - pos), pos);
      if (got === 0) throw runtimeError('the snapshot got shorter while it was being read', 'IO');
      this.writeOut(this.buf.subarray(0, got));
      pos += got;
      await this.yieldNow();
    }
  }

  /** Lets signal handlers run now and then (the writing is synchronous otherwise). */
  async yieldNow(): Promise<void> {
    if (this.position - this.sinceYield < 64 << 20) return;
    this.sinceYield = this.position;
    await new Promise((resolve) => setImmediate(resolve));
  }

  private writeOut(b: Uint8Array): void {
    this.writer.write(b, this.position);
    this.position += b.length;
  }
}
