import { closeSync, constants, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { BlockCrcs, crc32 } from './section-io.js';

/**
 * The index file's layout: `HWINDEX\n`, a u32 version and a u32 header length, the header (JSON: each section's
 * kind, place in the data and length; the block size and the block table's CRC-32), the data (typed arrays each at
 * an 8-byte boundary), the block table (a u32 CRC-32 per BLOCK bytes of data), then a u32 CRC-32 of everything
 * before the data and `HWIX`. A reader checks the header and the block table whole, then each block before it uses
 * any byte of it: `node` reads a few hundred blocks, `analyze` all of them. A file whose version, length or trailer
 * is wrong is not an index (the caller rebuilds it).
 */
// 2: retained sizes are stored (version 1 summed them again on opening)
// 3: a CRC-32 per section (a damaged one is named); node types as bytes
// 4: a CRC-32 per 4 KiB block (a reader checks only what it reads); node records without the type column
export const INDEX_VERSION = 4;
/**
 * Bytes per checked block: the kernel's page. `node` reads a few thousand scattered elements (sizes, classes,
 * names of the objects and their retainers), a block each: 64 KiB blocks made that 75 MB at 660 MB, 4 KiB ones
 * a sixteenth. The table costs 4 bytes per block (0.1% of the index), read and checked whole on opening (< 1 ms).
 */
export const BLOCK = 4 << 10;
const MAGIC = Buffer.from('HWINDEX\n');
const TRAILER = Buffer.from('HWIX');
const HEAD = MAGIC.length + 8;
/** Reading many blocks at once: 1 MB a read, each block checked while still in the CPU's cache. */
const RUN_BLOCKS = (1 << 20) / BLOCK;

export type Section = Uint8Array | Uint32Array | Int32Array | Float64Array;
export type SectionKind = 'u8' | 'u32' | 'i32' | 'f64';
const ARRAYS = { u8: Uint8Array, u32: Uint32Array, i32: Int32Array, f64: Float64Array };

/**
 * A section made while it is written (twice: once for the block checksums, once for the file), in pieces of the
 * same kind whose lengths add up to `length`: derived tables need no memory of their full size.
 */
export interface PiecewiseSection {
  kind: SectionKind;
  length: number;
  pieces: () => Iterable<Section>;
}

export interface IndexContents {
  /** Anything JSON can hold. */
  header: Record<string, unknown>;
  sections: Record<string, Section | PiecewiseSection>;
}

/** A section's place in the data (bytes from the data's start) and its length in elements. */
export interface SectionEntry {
  name: string;
  kind: SectionKind;
  at: number;
  length: number;
}

/** A block that failed its check (or could not be read) while a query was reading it: no answer may use it. */
export class IndexDamage extends Error {}

function kindOf(a: Section): SectionKind {
  if (a instanceof Uint8Array) return 'u8';
  if (a instanceof Uint32Array) return 'u32';
  if (a instanceof Int32Array) return 'i32';
  return 'f64';
}

const pad8 = (n: number) => (n + 7) & ~7;
const bytesOf = (a: Section) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Writes the index to an open file descriptor (a safe-file temporary), from its start. */
export function writeIndex(fd: number, contents: IndexContents): number {
  const entries = Object.entries(contents.sections).map(([name, a]) => {
    if (!('pieces' in a)) return { name, kind: kindOf(a), length: a.length, bytes: a.byteLength, pieces: () => [a] };
    return { name, ...a, bytes: a.length * ARRAYS[a.kind].BYTES_PER_ELEMENT };
  });
  const layout: SectionEntry[] = [];
  let dataBytes = 0;
  for (const { name, kind, length, bytes } of entries) {
    layout.push({ name, kind, at: dataBytes, length });
    dataBytes = pad8(dataBytes + bytes);
  }
  const zeros = new Uint8Array(8);
  const each = (put: (bytes: Uint8Array) => void) => {
    for (const x of entries) {
      let written = 0;
      for (const piece of x.pieces()) {
        put(bytesOf(piece));
        written += piece.byteLength;
      }
      if (written !== x.bytes) throw new Error(`index section ${x.name}: ${written} bytes made, ${x.bytes} announced`);
      put(zeros.subarray(0, pad8(x.bytes) - x.bytes));
    }
  };
  const blocks = new BlockCrcs(BLOCK, dataBytes);
  each((bytes) => blocks.push(bytes));
  const table = bytesOf(blocks.crcs);
  const json = JSON.stringify({
    ...contents.header,
    sections: layout,
    blockSize: BLOCK,
    blockCount: blocks.crcs.length,
    blockTableCrc: crc32(table),
  });
  const headerBytes = Buffer.byteLength(json);
  const dataStart = pad8(HEAD + headerBytes);
  const head = Buffer.alloc(dataStart);
  MAGIC.copy(head, 0);
  head.writeUInt32LE(INDEX_VERSION, MAGIC.length);
  head.writeUInt32LE(headerBytes, MAGIC.length + 4);
  head.write(json, HEAD, 'utf8');
  let pos = 0;
  const put = (bytes: Uint8Array) => {
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off, pos + off);
    pos += bytes.length;
  };
  put(head);
  each(put);
  put(table);
  const tail = Buffer.alloc(8);
  tail.writeUInt32LE(crc32(head.subarray(0, HEAD + headerBytes)), 0);
  TRAILER.copy(tail, 4);
  put(tail);
  return pos;
}

/**
 * An index opened for reading: header and block table checked; the data is read on demand, a block at a time
 * (or in runs), into one buffer the size of the data (memory the kernel provides only where something was read),
 * and each block is checked before any of it is used. Reading a damaged or missing block throws IndexDamage.
 */
export class IndexFile {
  private readonly image: Uint8Array;
  private readonly loaded: Uint8Array;
  private readonly byName = new Map<string, SectionEntry>();
  private scratch: Uint8Array | null = null;

  private constructor(
    private fd: number,
    readonly header: Record<string, unknown>,
    readonly dataStart: number,
    private readonly dataBytes: number,
    private readonly crcs: Uint32Array,
  ) {
    this.image = new Uint8Array(dataBytes);
    this.loaded = new Uint8Array(crcs.length);
    for (const s of header.sections as SectionEntry[]) this.byName.set(s.name, s);
  }

  /** Opens and checks the frame of an index (O_NOFOLLOW, owner): the file, or why it is not a usable index. */
  static open(path: string): IndexFile | string {
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (e as Error).message;
    }
    let file: IndexFile | string = 'unreadable';
    try {
      file = IndexFile.frame(fd);
    } catch (e) {
      file = `unreadable (${(e as Error).message})`;
    } finally {
      if (typeof file === 'string') closeSync(fd);
    }
    return file;
  }

  private static frame(fd: number): IndexFile | string {
    const st = fstatSync(fd);
    if (!st.isFile()) return 'not a regular file';
    if (process.getuid !== undefined && st.uid !== process.getuid()) return 'not owned by this user';
    const size = st.size;
    if (size < HEAD + 8) return 'truncated';
    const head = readAt(fd, 0, HEAD);
    if (!head?.subarray(0, MAGIC.length).equals(MAGIC)) return 'not a heapwatch index';
    const version = head.readUInt32LE(MAGIC.length);
    if (version !== INDEX_VERSION) return `version ${version}, this heapwatch reads version ${INDEX_VERSION}`;
    const tail = readAt(fd, size - 8, 8);
    if (!tail?.subarray(4).equals(TRAILER)) return 'truncated';
    const headerBytes = head.readUInt32LE(MAGIC.length + 4);
    if (HEAD + headerBytes > size - 8) return 'truncated';
    const headerText = readAt(fd, HEAD, headerBytes);
    if (!headerText) return 'truncated';
    if (crc32(headerText, crc32(head)) !== tail.readUInt32LE(0)) return 'checksum mismatch in the header';
    const header = JSON.parse(headerText.toString('utf8')) as Record<string, unknown>;
    const dataStart = pad8(HEAD + headerBytes);
    let dataBytes = 0;
    for (const s of header.sections as SectionEntry[]) {
      const make = ARRAYS[s.kind];
      if (!make || s.at % 8 !== 0 || s.at !== dataBytes) return 'bad section';
      dataBytes = pad8(s.at + s.length * make.BYTES_PER_ELEMENT);
    }
    const count = header.blockCount as number;
    if (header.blockSize !== BLOCK || count !== Math.ceil(dataBytes / BLOCK)) return 'bad block table';
    if (dataStart + dataBytes + 4 * count + 8 !== size) return 'truncated';
    const table = readAt(fd, dataStart + dataBytes, 4 * count);
    if (!table) return 'truncated';
    if (crc32(table) !== header.blockTableCrc) return 'checksum mismatch in the block table';
    const crcs = new Uint32Array(count);
    new Uint8Array(crcs.buffer).set(table);
    return new IndexFile(fd, header, dataStart, dataBytes, crcs);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Where section `name` lies in the data. */
  entry(name: string): SectionEntry {
    const s = this.byName.get(name);
    if (!s) throw new IndexDamage(`no section ${name}`);
    return s;
  }

  /** Section `name` as a typed array over the data buffer: only the parts `ensure`d hold its bytes. */
  view(name: string): Section {
    const s = this.entry(name);
    return new ARRAYS[s.kind](this.image.buffer as ArrayBuffer, s.at, s.length);
  }

  /** Section `name`, every block of it read and checked. */
  section(name: string): Section {
    const s = this.entry(name);
    this.ensure(s.at, s.at + s.length * ARRAYS[s.kind].BYTES_PER_ELEMENT);
    return this.view(name);
  }

  /** Reads and checks the block holding data byte `at` unless it is held already (the lazy arrays' fast path). */
  ensureAt(at: number): void {
    if (this.loaded[Math.floor(at / BLOCK)] === 0) this.ensure(at, at + 1);
  }

  /** Whether block b is held (read and checked) in the data buffer. */
  holds(b: number): boolean {
    return this.loaded[b] === 1;
  }

  /**
   * Reads block b into `into` (BLOCK bytes; the data's last block may be shorter) and checks it, without keeping
   * it in the data buffer: for readers that reuse a small buffer instead of touching fresh pages.
   */
  readBlock(b: number, into: Uint8Array): void {
    this.readBlocks(b, b + 1, into.subarray(0, Math.min(BLOCK, this.dataBytes - b * BLOCK)));
  }

  /** Reads and checks every block holding data bytes [from, to) that is not held yet. */
  ensure(from: number, to: number): void {
    const last = Math.ceil(Math.min(to, this.dataBytes) / BLOCK);
    for (let b = Math.floor(from / BLOCK); b < last; b++) {
      if (this.loaded[b]) continue;
      let end = b + 1;
      while (end < last && end - b < RUN_BLOCKS && !this.loaded[end]) end++;
      this.readBlocks(b, end, this.image.subarray(b * BLOCK, Math.min(end * BLOCK, this.dataBytes)));
      this.loaded.fill(1, b, end);
      b = end - 1;
    }
  }

  /**
   * Hands section `name` to `use` in checked pieces (typed arrays over a reused buffer, whole elements, in order,
   * `first` the index of each piece's first element), without keeping it: one pass over a section that is big.
   */
  scan(name: string, use: (piece: Section, first: number) => void): void {
    const s = this.entry(name);
    // one buffer for every scan of this file (a fresh one is fresh pages each time), taken while in use
    const scratch = this.scratch ?? new Uint8Array(RUN_BLOCKS * BLOCK);
    this.scratch = null;
    try {
      this.scanWith(scratch, s, use);
    } finally {
      this.scratch = scratch;
    }
  }

  private scanWith(scratch: Uint8Array, s: SectionEntry, use: (piece: Section, first: number) => void): void {
    const make = ARRAYS[s.kind];
    const end = s.at + s.length * make.BYTES_PER_ELEMENT;
    for (let b = Math.floor(s.at / BLOCK); b * BLOCK < end; b += RUN_BLOCKS) {
      const runEnd = Math.min(b + RUN_BLOCKS, Math.ceil(end / BLOCK));
      const bytes = scratch.subarray(0, Math.min(runEnd * BLOCK, this.dataBytes) - b * BLOCK);
      this.readBlocks(b, runEnd, bytes);
      // sections start at 8-byte boundaries and blocks are a multiple of 8 bytes: no element straddles two runs
      const from = Math.max(s.at, b * BLOCK);
      const to = Math.min(end, runEnd * BLOCK);
      const first = (from - s.at) / make.BYTES_PER_ELEMENT;
      use(new make(scratch.buffer as ArrayBuffer, from - b * BLOCK, (to - from) / make.BYTES_PER_ELEMENT), first);
    }
  }

  private readBlocks(first: number, end: number, into: Uint8Array): void {
    const at = this.dataStart + first * BLOCK;
    for (let got = 0; got < into.length; ) {
      const n = readSync(this.fd, into, got, into.length - got, at + got);
      if (n === 0) throw new IndexDamage(`truncated at byte ${at + got}`);
      got += n;
    }
    for (let b = first; b < end; b++) {
      const bytes = into.subarray((b - first) * BLOCK, (b - first + 1) * BLOCK);
      if (crc32(bytes) !== this.crcs[b]) {
        throw new IndexDamage(`checksum mismatch in ${this.sectionsIn(b)} at byte ${this.dataStart + b * BLOCK}`);
      }
    }
  }

  /** The names of the sections block b holds part of. */
  private sectionsIn(b: number): string {
    const names: string[] = [];
    for (const s of this.byName.values()) {
      const end = s.at + s.length * ARRAYS[s.kind].BYTES_PER_ELEMENT;
      if (s.at < (b + 1) * BLOCK && end > b * BLOCK) names.push(s.name);
    }
    return names.join(', ') || 'padding';
  }
}

function readAt(fd: number, at: number, length: number): Buffer | null {
  const buf = Buffer.alloc(length);
  for (let got = 0; got < length; ) {
    const n = readSync(fd, buf, got, length - got, at + got);
    if (n === 0) return null;
    got += n;
  }
  return buf;
}
