import { closeSync, constants, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import * as zlib from 'node:zlib';

/**
 * The index file's layout: `HWINDEX\n`, a u32 version and a u32 header length, the header (JSON), then typed
 * arrays each at an 8-byte boundary, then a u32 CRC-32 of everything before it and `HWIX`. A file whose
 * version, length, trailer or checksum is wrong is not an index (the caller rebuilds it).
 */
// 2: retained sizes are stored (version 1 summed them again on opening)
export const INDEX_VERSION = 2;
const MAGIC = Buffer.from('HWINDEX\n');
const TRAILER = Buffer.from('HWIX');

export type Section = Uint8Array | Uint32Array | Int32Array | Float64Array;
type SectionKind = 'u8' | 'u32' | 'i32' | 'f64';

export interface IndexContents {
  /** Anything JSON can hold. */
  header: Record<string, unknown>;
  sections: Record<string, Section>;
}

function kindOf(a: Section): SectionKind {
  if (a instanceof Uint8Array) return 'u8';
  if (a instanceof Uint32Array) return 'u32';
  if (a instanceof Int32Array) return 'i32';
  return 'f64';
}

const pad8 = (n: number) => (n + 7) & ~7;

/** CRC-32 (zlib's where Node has it, else a table in JS), continued from `crc`. */
function crc32(bytes: Uint8Array, crc = 0): number {
  // Node 20's zlib.crc32 returns 0 for empty input with some starting values
  if (bytes.length === 0) return crc;
  const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
  if (native) return native(bytes, crc);
  TABLE ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
let TABLE: Uint32Array | undefined;

/** Writes the index to an open file descriptor (a safe-file temporary), from its start. */
export function writeIndex(fd: number, contents: IndexContents): number {
  const layout: { name: string; kind: SectionKind; offset: number; length: number }[] = [];
  const entries = Object.entries(contents.sections);
  // the header's length depends on the offsets it lists: lay out after a first guess of its size
  let headerBytes = 0;
  let json = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    let offset = pad8(MAGIC.length + 8 + headerBytes);
    layout.length = 0;
    for (const [name, a] of entries) {
      layout.push({ name, kind: kindOf(a), offset, length: a.length });
      offset = pad8(offset + a.byteLength);
    }
    json = JSON.stringify({ ...contents.header, sections: layout });
    const need = Buffer.byteLength(json);
    if (need <= headerBytes) break;
    headerBytes = need + 64;
  }
  const head = Buffer.alloc(pad8(MAGIC.length + 8 + headerBytes));
  MAGIC.copy(head, 0);
  head.writeUInt32LE(INDEX_VERSION, MAGIC.length);
  head.writeUInt32LE(headerBytes, MAGIC.length + 4);
  head.write(json.padEnd(headerBytes, ' '), MAGIC.length + 8, 'utf8');
  let pos = 0;
  let crc = 0;
  const put = (bytes: Uint8Array) => {
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off, pos + off);
    crc = crc32(bytes, crc);
    pos += bytes.length;
  };
  put(head);
  const zeros = new Uint8Array(8);
  for (const [i, [, a]] of entries.entries()) {
    put(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    const end = layout[i].offset + a.byteLength;
    if (pad8(end) > end) put(zeros.subarray(0, pad8(end) - end));
  }
  const tail = Buffer.alloc(8);
  tail.writeUInt32LE(crc, 0);
  TRAILER.copy(tail, 4);
  for (let off = 0; off < 8; ) off += writeSync(fd, tail, off, 8 - off, pos + off);
  return pos + 8;
}

/** Why the file is not a usable index, or its contents (views into one buffer holding the whole file). */
export function readIndex(path: string): IndexContents | string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (e as Error).message;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return 'not a regular file';
    if (st.uid !== process.getuid?.() && process.getuid !== undefined) return 'not owned by this user';
    const size = st.size;
    if (size < MAGIC.length + 16) return 'truncated';
    const bytes = new Uint8Array(new ArrayBuffer(size));
    for (let got = 0; got < size; ) {
      const n = readSync(fd, bytes, got, size - got, got);
      if (n === 0) return 'truncated';
      got += n;
    }
    const buf = Buffer.from(bytes.buffer, 0, size);
    if (!buf.subarray(0, MAGIC.length).equals(MAGIC)) return 'not a heapwatch index';
    const version = buf.readUInt32LE(MAGIC.length);
    if (version !== INDEX_VERSION) return `version ${version}, this heapwatch reads version ${INDEX_VERSION}`;
    if (!buf.subarray(size - 4).equals(TRAILER)) return 'truncated';
    if (crc32(bytes.subarray(0, size - 8)) !== buf.readUInt32LE(size - 8)) return 'checksum mismatch';
    const headerBytes = buf.readUInt32LE(MAGIC.length + 4);
    const header = JSON.parse(buf.toString('utf8', MAGIC.length + 8, MAGIC.length + 8 + headerBytes)) as Record<
      string,
      unknown
    >;
    const sections: Record<string, Section> = {};
    for (const s of header.sections as { name: string; kind: SectionKind; offset: number; length: number }[]) {
      const make = { u8: Uint8Array, u32: Uint32Array, i32: Int32Array, f64: Float64Array }[s.kind];
      if (s.offset % 8 !== 0 || s.offset + s.length * make.BYTES_PER_ELEMENT > size - 8) return 'bad section';
      sections[s.name] = new make(bytes.buffer, s.offset, s.length);
    }
    return { header, sections };
  } catch (e) {
    return `unreadable (${(e as Error).message})`;
  } finally {
    closeSync(fd);
  }
}
