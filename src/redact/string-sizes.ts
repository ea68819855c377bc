import { ASCII, ESCAPED, grown, type StringSink } from '../snapshot/string-table.js';
import { DICTIONARY_STORE, PROPERTIES } from './record-uses.js';
import { decodeRaw, rawDecodedLength } from './utf16-length.js';

/**
 * What the redactor keeps of the strings section: each string's size in the file and flags, its placeholder's
 * length and which of the names the uses rules look for it is, but not its bytes: the copy's strings section is
 * written from the file read again (strings-source.ts). Holding the ~80 MB of a 660 MB snapshot's strings cost
 * more than reading them twice: each new page of memory is a page fault, and faults are dear on these machines.
 */
export class StringSizes {
  readonly length: number;

  constructor(
    /** length + 1 entries, ends[0] = 0: string i has ends[i+1] - ends[i] bytes in the file. */
    readonly ends: Uint32Array | Float64Array,
    private readonly flags: Uint8Array,
    /** Per string, -1 for plain ASCII ones, else the length of its value in UTF-16 units (its placeholder's). */
    readonly lengths: Int32Array,
    /** Per string, PROPERTIES and DICTIONARY_STORE when it is one of those names (record-uses.ts). */
    readonly named: Uint8Array,
  ) {
    this.length = flags.length;
  }

  /** The bytes of string i in the file (escapes as written, no quotes). */
  byteLength(i: number): number {
    return this.ends[i + 1] - this.ends[i];
  }

  /** String i's flags (ESCAPED, ASCII). */
  flagsOf(i: number): number {
    return this.flags[i];
  }
}

/** Bytes of the buffer the strings section's reader writes a string into before it is counted (longer ones are copied for it). */
const SCRATCH_BYTES = 1 << 20;
/** Room for a string per this many bytes of the section at first (V8's strings take about 40 with quotes and separator). */
const BYTES_PER_STRING = 32;
const MAX_FIRST_ROOM = 1 << 24;

/**
 * The StringSink that makes StringSizes: each string's bytes are looked at once, as the reader hands them over,
 * and then forgotten (the reader writes them into the same scratch buffer again and again).
 */
export class StringSizesBuilder implements StringSink {
  chunk: Buffer;
  /** Always 0: nothing is kept in `chunk`. */
  used = 0;
  private count = 0;
  private total = 0;
  private ends: Uint32Array | Float64Array;
  private flags: Uint8Array;
  private lengths: Int32Array;
  private named: Uint8Array;

  /** `maxBytes`: at most this many bytes will be added (the bytes left in the file). */
  constructor(maxBytes: number) {
    this.chunk = Buffer.allocUnsafe(Math.max(1, Math.min(SCRATCH_BYTES, maxBytes)));
    const room = Math.min(MAX_FIRST_ROOM, Math.max(1024, Math.ceil(maxBytes / BYTES_PER_STRING)));
    this.ends = maxBytes < 2 ** 32 ? new Uint32Array(room + 1) : new Float64Array(room + 1);
    this.flags = new Uint8Array(room);
    this.lengths = new Int32Array(room);
    this.named = new Uint8Array(room);
  }

  /** A string whose bytes are chunk[0, end). */
  add(end: number, flags: number): void {
    this.push(this.chunk, 0, end, flags);
  }

  /** Strings whose bytes are `bytes`, string k ending at ends[k] of them, with flags[k]. */
  addMany(bytes: Uint8Array, ends: Uint32Array, flags: Uint8Array): void {
    let from = 0;
    for (let k = 0; k < ends.length; k++) {
      this.push(bytes, from, ends[k], flags[k]);
      from = ends[k];
    }
  }

  /** A string whose bytes are src[from, to). */
  copy(src: Uint8Array, from: number, to: number, flags: number, _maxBytes: number): void {
    this.push(src, from, to, flags);
  }

  finish(): StringSizes {
    const n = this.count;
    return new StringSizes(
      this.ends.subarray(0, n + 1),
      this.flags.subarray(0, n),
      this.lengths.subarray(0, n),
      this.named.subarray(0, n),
    );
  }

  private push(bytes: Uint8Array, from: number, to: number, flags: number): void {
    const i = this.count++;
    if (i >= this.flags.length) this.grow();
    const n = to - from;
    this.total += n;
    this.ends[i + 1] = this.total;
    this.flags[i] = flags;
    if (flags === ASCII) {
      this.lengths[i] = -1;
      if (n === 10 || n === 19) this.named[i] = asciiNameBits(bytes, from, n);
      return;
    }
    const length = rawDecodedLength(bytes, from, to, flags);
    this.lengths[i] = length;
    // an escaped name (unescaped bytes outside ASCII never spell one)
    if ((length === 10 || length === 19) && flags & ESCAPED) this.named[i] = escapedNameBits(bytes, from, to, flags);
  }

  private grow(): void {
    const room = this.flags.length * 2;
    this.ends = grown(this.ends, room + 1);
    this.flags = grown(this.flags, room);
    this.lengths = grown(this.lengths, room);
    this.named = grown(this.named, room);
  }
}

const PROPERTIES_NAME = 'properties';
const DICTIONARY_STORE_NAME = '(object properties)';

/** The name bits of a plain ASCII string, n (10 or 19) bytes at bytes[from…]. */
function asciiNameBits(bytes: Uint8Array, from: number, n: number): number {
  const name = n === 10 ? PROPERTIES_NAME : DICTIONARY_STORE_NAME;
  for (let j = 0; j < n; j++) if (bytes[from + j] !== name.charCodeAt(j)) return 0;
  return n === 10 ? PROPERTIES : DICTIONARY_STORE;
}

function escapedNameBits(bytes: Uint8Array, from: number, to: number, flags: number): number {
  const value = decodeRaw(bytes, from, to, flags);
  return value === PROPERTIES_NAME ? PROPERTIES : value === DICTIONARY_STORE_NAME ? DICTIONARY_STORE : 0;
}
