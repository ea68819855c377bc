import { closeSync, constants, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { crc32, readSections } from './section-io.js';

/**
 * The index file's layout: `HWINDEX\n`, a u32 version and a u32 header length, the header (JSON, listing each
 * section's kind, offset, length and CRC-32), then typed arrays each at an 8-byte boundary, then a u32 CRC-32 of
 * everything before the first section and `HWIX`. A file whose version, length, trailer or any checksum is wrong
 * is not an index (the caller rebuilds it): every section is read and checked before any of it is used.
 */
// 2: retained sizes are stored (version 1 summed them again on opening)
// 3: a CRC-32 per section (a damaged one is named; a reader may check only what it reads); node types as bytes
export const INDEX_VERSION = 3;
const MAGIC = Buffer.from('HWINDEX\n');
const TRAILER = Buffer.from('HWIX');
const HEAD = MAGIC.length + 8;

export type Section = Uint8Array | Uint32Array | Int32Array | Float64Array;
type SectionKind = 'u8' | 'u32' | 'i32' | 'f64';
const ARRAYS = { u8: Uint8Array, u32: Uint32Array, i32: Int32Array, f64: Float64Array };

export interface IndexContents {
  /** Anything JSON can hold. */
  header: Record<string, unknown>;
  sections: Record<string, Section>;
}

interface SectionEntry {
  name: string;
  kind: SectionKind;
  offset: number;
  length: number;
  crc: number;
}

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
  const entries = Object.entries(contents.sections);
  const crcs = entries.map(([, a]) => crc32(bytesOf(a)));
  const layout: SectionEntry[] = [];
  // the header's length depends on the offsets it lists: lay out after a first guess of its size
  let headerBytes = 0;
  let json = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    let offset = pad8(HEAD + headerBytes);
    layout.length = 0;
    entries.forEach(([name, a], i) => {
      layout.push({ name, kind: kindOf(a), offset, length: a.length, crc: crcs[i] });
      offset = pad8(offset + a.byteLength);
    });
    json = JSON.stringify({ ...contents.header, sections: layout });
    const need = Buffer.byteLength(json);
    if (need <= headerBytes) break;
    headerBytes = need + 64;
  }
  const head = Buffer.alloc(pad8(HEAD + headerBytes));
  MAGIC.copy(head, 0);
  head.writeUInt32LE(INDEX_VERSION, MAGIC.length);
  head.writeUInt32LE(headerBytes, MAGIC.length + 4);
  head.write(json.padEnd(headerBytes, ' '), HEAD, 'utf8');
  let pos = 0;
  const put = (bytes: Uint8Array) => {
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off, pos + off);
    pos += bytes.length;
  };
  put(head);
  const zeros = new Uint8Array(8);
  for (const [i, [, a]] of entries.entries()) {
    put(bytesOf(a));
    const end = layout[i].offset + a.byteLength;
    if (pad8(end) > end) put(zeros.subarray(0, pad8(end) - end));
  }
  const tail = Buffer.alloc(8);
  tail.writeUInt32LE(crc32(head.subarray(0, HEAD + headerBytes)), 0);
  TRAILER.copy(tail, 4);
  put(tail);
  return pos;
}

/** Why the file is not a usable index, or its contents (views into one buffer holding the whole file, every section checked). */
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
    const entries = header.sections as SectionEntry[];
    for (const s of entries) {
      const make = ARRAYS[s.kind];
      if (!make || s.offset % 8 !== 0 || s.offset < HEAD + headerBytes) return 'bad section';
      if (s.offset + s.length * make.BYTES_PER_ELEMENT > size - 8) return 'bad section';
    }
    const spans = entries.map((s) => ({
      name: s.name,
      offset: s.offset,
      byteLength: s.length * ARRAYS[s.kind].BYTES_PER_ELEMENT,
      crc: s.crc,
    }));
    const buffer = new ArrayBuffer(size);
    const problem = readSections(fd, new Uint8Array(buffer), spans);
    if (problem) return problem;
    const sections: Record<string, Section> = {};
    for (const s of entries) sections[s.name] = new ARRAYS[s.kind](buffer, s.offset, s.length);
    return { header, sections };
  } catch (e) {
    return `unreadable (${(e as Error).message})`;
  } finally {
    closeSync(fd);
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
