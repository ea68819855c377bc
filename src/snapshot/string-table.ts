/** Per-string flags. ESCAPED: the bytes hold JSON escapes (decoded by JSON.parse); ASCII: no byte ≥ 0x80. */
export const ESCAPED = 1;
export const ASCII = 2;

const CACHE_SLOTS = 4096;

/** Bytes per storage chunk: strings are appended to one until the next does not fit. */
const CHUNK_BYTES = 32 << 20;
/** A string of V8's strings section takes about 40 bytes with its quotes and separator: room is made for 32. */
const BYTES_PER_STRING = 32;
/** At most this much room at first (a section that is not the file's last is bounded by far more bytes). */
const MAX_FIRST_ROOM = 1 << 24;

/**
 * The snapshot's `strings` section kept as its bytes (off the JS heap): each string's contents as the file has
 * them, without quotes or separators, in a few large buffers, with its end offset and flags. A string becomes a
 * JS string only when asked for (`get`), decoded as JSON.parse would; most of a snapshot's strings never are.
 * Offsets are into the chunks' used bytes laid end to end: string i is [ends[i], ends[i+1]).
 */
const EMPTY = Buffer.alloc(0);

export class StringTable {
  readonly length: number;
  // a direct-mapped cache of decoded strings: callers ask for the same few names again and again
  private readonly cachedIndex = new Int32Array(CACHE_SLOTS).fill(-1);
  private readonly cachedString: string[] = new Array(CACHE_SLOTS).fill('');

  /** @internal built by StringTableBuilder */
  constructor(
    private readonly chunks: Buffer[],
    /** Offset of each chunk's first byte. */
    private readonly starts: number[],
    /** length + 1 entries, ends[0] = 0. */
    private readonly ends: Uint32Array | Float64Array,
    private readonly flags: Uint8Array,
  ) {
    this.length = flags.length;
  }

  /** A table holding these strings (for tests and tools that build snapshots by hand). */
  static fromStrings(strings: readonly string[]): StringTable {
    let bytes = 0;
    const encoded = strings.map((str) => {
      let b = Buffer.from(str, 'utf8');
      let flags = b.length === str.length ? ASCII : 0;
      // lone surrogates do not survive UTF-8: keep them as JSON escapes, as V8's files would
      if (flags === 0 && b.toString('utf8') !== str) {
        b = Buffer.from(JSON.stringify(str).slice(1, -1), 'utf8');
        flags = ESCAPED;
      }
      bytes += b.length;
      return { b, flags };
    });
    const builder = new StringTableBuilder(bytes);
    for (const { b, flags } of encoded) builder.copy(b, 0, b.length, flags, bytes);
    return builder.finish();
  }

  /** String i, decoded as JSON.parse decodes it in the file; the last few thousand asked for are kept. */
  get(i: number): string {
    if (!(i >= 0 && i < this.length)) throw new RangeError(`string index ${i} out of range (${this.length} strings)`);
    const slot = i & (CACHE_SLOTS - 1);
    if (this.cachedIndex[slot] === i) return this.cachedString[slot];
    const str = this.decode(i);
    this.cachedIndex[slot] = i;
    this.cachedString[slot] = str;
    return str;
  }

  /** Whether string i is '' (no bytes: any escape decodes to at least one character). */
  isEmpty(i: number): boolean {
    return this.ends[i] === this.ends[i + 1];
  }

  /** The bytes of string i in the file (escapes as written): never fewer than the decoded string's length. */
  byteLength(i: number): number {
    return this.ends[i + 1] - this.ends[i];
  }

  /** String i's bytes as the file wrote them (escapes included), without decoding: for tools that copy strings. */
  rawBytes(i: number): Buffer {
    const from = this.ends[i];
    const to = this.ends[i + 1];
    if (from === to) return EMPTY;
    const k = this.chunkAt(from);
    const at = from - this.starts[k];
    return this.chunks[k].subarray(at, at + to - from);
  }

  /**
   * Copies string i's bytes as the file wrote them to target[at…] (room must be there); returns how many. As
   * rawBytes, without making a Buffer per string (the redactor writes millions).
   */
  copyRawTo(i: number, target: Uint8Array, at: number): number {
    const from = this.ends[i];
    const n = this.ends[i + 1] - from;
    if (n === 0) return 0;
    const k = this.chunkAt(from);
    const chunk = this.chunks[k];
    const src = from - this.starts[k];
    if (n > 64) target.set(chunk.subarray(src, src + n), at);
    else for (let j = 0; j < n; j++) target[at + j] = chunk[src + j];
    return n;
  }

  /** The chunk that holds string i's bytes as the file wrote them, from rawStart(i): rawBytes without a Buffer per string. */
  rawChunk(i: number): Uint8Array {
    return this.chunks[this.chunkAt(this.ends[i])];
  }

  /** Where string i's bytes start in rawChunk(i); byteLength(i) of them. */
  rawStart(i: number): number {
    const from = this.ends[i];
    return from - this.starts[this.chunkAt(from)];
  }

  /** String i's flags (ESCAPED, ASCII). */
  flagsOf(i: number): number {
    return this.flags[i];
  }

  /**
   * The UTF-16 code unit at k of string i (NaN past its end), as `get(i).charCodeAt(k)`, read from the bytes
   * while they are ASCII or escapes (for most strings, so tests of a name's first characters decode nothing).
   */
  charCodeAt(i: number, k: number): number {
    const from = this.ends[i];
    if (this.flags[i] !== ASCII) return this.unitAt(i, k);
    return k < this.ends[i + 1] - from ? this.byteAt(from + k) : Number.NaN;
  }

  /** Whether string i equals str (bytes are compared when str is ASCII). */
  equals(i: number, str: string): boolean {
    return this.matches(i, str, isAsciiString(str));
  }

  /** The first index at or after `from` whose string equals str, or -1. */
  indexOf(str: string, from = 0): number {
    const ascii = isAsciiString(str);
    for (let i = Math.max(0, from); i < this.length; i++) if (this.matches(i, str, ascii)) return i;
    return -1;
  }

  /** Every string, decoded (for tests and tools: the whole table on the JS heap). */
  toArray(): string[] {
    const out: string[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.decode(i);
    return out;
  }

  /** charCodeAt for strings with escapes or non-ASCII bytes: walks the bytes up to k while it can. */
  private unitAt(i: number, k: number): number {
    const from = this.ends[i];
    const c = this.chunkAt(from);
    const chunk = this.chunks[c];
    const escaped = (this.flags[i] & ESCAPED) !== 0;
    for (let p = from - this.starts[c], u = 0, end = p + this.ends[i + 1] - from; p < end; u++) {
      const b = chunk[p];
      if (b >= 0x80) return this.get(i).charCodeAt(k);
      if (b === 92 && escaped) {
        if (u === k) return escapedUnit(chunk, p);
        p += chunk[p + 1] === 117 ? 6 : 2;
      } else {
        if (u === k) return b;
        p++;
      }
    }
    return Number.NaN;
  }

  private byteAt(at: number): number {
    const c = this.chunkAt(at);
    return this.chunks[c][at - this.starts[c]];
  }

  private decode(i: number): string {
    const from = this.ends[i];
    const to = this.ends[i + 1];
    if (from === to) return '';
    const k = this.chunkAt(from);
    const at = from - this.starts[k];
    const f = this.flags[i];
    const chunk = this.chunks[k];
    if (f & ESCAPED) return JSON.parse(`"${chunk.toString('utf8', at, at + to - from)}"`) as string;
    return chunk.toString(f & ASCII ? 'latin1' : 'utf8', at, at + to - from);
  }

  private matches(i: number, str: string, ascii: boolean): boolean {
    const f = this.flags[i];
    const bytes = this.ends[i + 1] - this.ends[i];
    if (f & ESCAPED) {
      // escapes take two or six bytes for one code unit: a string is never shorter in bytes than in units
      if (bytes < str.length) return false;
      return ascii ? this.escapedEqualsAscii(i, str) : this.get(i) === str;
    }
    if (f & ASCII) return ascii && bytes === str.length && this.asciiEquals(i, str);
    // a byte ≥ 0x80 decodes to a character ≥ U+0080 (or U+FFFD): never equal to an ASCII string
    return !ascii && this.get(i) === str;
  }

  private asciiEquals(i: number, str: string): boolean {
    const from = this.ends[i];
    const k = this.chunkAt(from);
    const chunk = this.chunks[k];
    const at = from - this.starts[k];
    for (let j = 0; j < str.length; j++) if (chunk[at + j] !== str.charCodeAt(j)) return false;
    return true;
  }

  /** Whether escaped string i decodes to the ASCII string str, walking its bytes (no decoding). */
  private escapedEqualsAscii(i: number, str: string): boolean {
    const from = this.ends[i];
    const k = this.chunkAt(from);
    const chunk = this.chunks[k];
    const end = from - this.starts[k] + this.ends[i + 1] - from;
    let j = 0;
    for (let p = from - this.starts[k]; p < end; j++) {
      const b = chunk[p];
      if (j >= str.length || b >= 0x80) return false;
      if (b === 92) {
        if (escapedUnit(chunk, p) !== str.charCodeAt(j)) return false;
        p += chunk[p + 1] === 117 ? 6 : 2;
      } else {
        if (b !== str.charCodeAt(j)) return false;
        p++;
      }
    }
    return j === str.length;
  }

  /** The chunk holding the (non-empty) string that starts at offset `at`: few chunks, searched from the back. */
  private chunkAt(at: number): number {
    let k = this.starts.length - 1;
    while (this.starts[k] > at) k--;
    return k;
  }
}

/**
 * What the strings section's reader (readStringsInto in strings-section.ts) fills: it writes a string's bytes into
 * `chunk` from `used` and calls `add`, hands runs of strings to `addMany`, and the strings it cannot write that way
 * to `copy`. StringTableBuilder keeps the bytes; the redactor's builder only counts them (redact/string-sizes.ts).
 */
export interface StringSink {
  chunk: Buffer;
  used: number;
  add(end: number, flags: number): void;
  addMany(bytes: Uint8Array, ends: Uint32Array, flags: Uint8Array): void;
  copy(src: Uint8Array, from: number, to: number, flags: number, maxBytes: number): void;
}

/**
 * Fills a StringTable. The reader's scan loop writes a string's bytes straight into `chunk` from `used` and
 * calls `add`; strings it cannot write that way (escaped, across refills, or past the chunk's end) go by `copy`.
 */
export class StringTableBuilder implements StringSink {
  chunk: Buffer;
  used = 0;
  private readonly chunks: Buffer[] = [];
  private readonly starts: number[] = [];
  /** Offset of chunk[0]. */
  private base = 0;
  private ends: Uint32Array | Float64Array;
  private flags: Uint8Array;
  private count = 0;

  /**
   * `maxBytes`: at most this many bytes will be added (for a snapshot, the bytes left in the file);
   * `chunkBytes`: the size of a chunk (tests make it tiny, so strings land on chunk boundaries).
   */
  constructor(
    maxBytes: number,
    private readonly chunkBytes = CHUNK_BYTES,
  ) {
    this.chunk = Buffer.allocUnsafe(Math.min(chunkBytes, maxBytes));
    // room for as many strings as V8's files usually hold in that many bytes, so the arrays seldom grow
    const room = Math.min(MAX_FIRST_ROOM, Math.max(1024, Math.ceil(maxBytes / BYTES_PER_STRING)));
    this.ends = maxBytes < 2 ** 32 ? new Uint32Array(room + 1) : new Float64Array(room + 1);
    this.flags = new Uint8Array(room);
  }

  /** Ends a string whose bytes were written to chunk[used … end). */
  add(end: number, flags: number): void {
    this.used = end;
    const n = ++this.count;
    if (n > this.flags.length) this.grow();
    this.ends[n] = this.base + end;
    this.flags[n - 1] = flags;
  }

  /**
   * Adds strings whose bytes are `bytes` (they fit in the chunk's room), string k ending at ends[k] of them,
   * with flags[k].
   */
  addMany(bytes: Uint8Array, ends: Uint32Array, flags: Uint8Array): void {
    const at = this.used;
    this.chunk.set(bytes, at);
    for (let k = 0; k < ends.length; k++) this.add(at + ends[k], flags[k]);
  }

  /** Adds src[from … to) as a string; `maxBytes` bounds what is still to come, this string included. */
  copy(src: Uint8Array, from: number, to: number, flags: number, maxBytes: number): void {
    const n = to - from;
    if (this.chunk.length - this.used < n) this.newChunk(Math.max(n, Math.min(this.chunkBytes, maxBytes)));
    this.chunk.set(src.subarray(from, to), this.used);
    this.add(this.used + n, flags);
  }

  finish(): StringTable {
    let last = this.chunk.subarray(0, this.used);
    // a chunk mostly unused (the section was not the file's last): keep only its bytes
    if (this.chunk.length - this.used > this.chunk.length / 4) last = Buffer.from(last);
    const chunks = [...this.chunks, last];
    const starts = [...this.starts, this.base];
    const n = this.count;
    // untouched room costs address space only: copy the arrays when more than half of them is room
    const mostlyRoom = n < this.flags.length / 2;
    const ends = mostlyRoom ? this.ends.slice(0, n + 1) : this.ends.subarray(0, n + 1);
    return new StringTable(chunks, starts, ends, mostlyRoom ? this.flags.slice(0, n) : this.flags.subarray(0, n));
  }

  private newChunk(bytes: number): void {
    if (this.used > 0) {
      this.chunks.push(this.chunk.subarray(0, this.used));
      this.starts.push(this.base);
      this.base += this.used;
    }
    this.chunk = Buffer.allocUnsafe(bytes);
    this.used = 0;
  }

  private grow(): void {
    const room = this.flags.length * 2;
    this.ends = grown(this.ends, room + 1);
    this.flags = grown(this.flags, room);
  }
}

/** A copy of `array` in a new array of its kind with `length` elements (a string table's column grown). */
export function grown<T extends Uint8Array | Int32Array | Uint32Array | Float64Array>(array: T, length: number): T {
  const out = new (array.constructor as new (length: number) => T)(length);
  out.set(array);
  return out;
}

// the code unit of each one-letter escape, by the letter
const SIMPLE_ESCAPE_UNITS: Record<number, number> = {
  34: 34,
  92: 92,
  47: 47,
  98: 8,
  102: 12,
  110: 10,
  114: 13,
  116: 9,
};

/** The code unit of the (valid: checked when read) escape at bytes[p], a backslash. */
function escapedUnit(bytes: Uint8Array, p: number): number {
  if (bytes[p + 1] !== 117) return SIMPLE_ESCAPE_UNITS[bytes[p + 1]];
  let unit = 0;
  for (let h = p + 2; h < p + 6; h++) {
    const c = bytes[h];
    unit = unit * 16 + (c <= 57 ? c - 48 : (c | 32) - 87);
  }
  return unit;
}

function isAsciiString(str: string): boolean {
  for (let i = 0; i < str.length; i++) if (str.charCodeAt(i) >= 0x80) return false;
  return true;
}
