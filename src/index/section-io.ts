import { readSync } from 'node:fs';
import * as zlib from 'node:zlib';

/** One section's place in the index file and the CRC-32 of its bytes (from the header). */
export interface SectionSpan {
  name: string;
  offset: number;
  byteLength: number;
  crc: number;
}

// reading a few MB at a time and checking them at once keeps the bytes in the cache between the two
const CHUNK = 8 << 20;

/** CRC-32 (zlib's where Node has it, else a table in JS), continued from `crc`. */
export function crc32(bytes: Uint8Array, crc = 0): number {
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

/**
 * Reads these sections from `fd` into `into` (the whole file's buffer, at the same offsets) and checks each one's
 * CRC-32: the name of the first section that is short or does not match, else null.
 */
export function readSections(fd: number, into: Uint8Array, spans: readonly SectionSpan[]): string | null {
  for (const s of spans) {
    let crc = 0;
    for (let at = s.offset, end = s.offset + s.byteLength; at < end; ) {
      const n = readSync(fd, into, at, Math.min(CHUNK, end - at), at);
      if (n === 0) return `${s.name} truncated`;
      crc = crc32(into.subarray(at, at + n), crc);
      at += n;
    }
    if (crc !== s.crc) return `checksum mismatch in ${s.name}`;
  }
  return null;
}
