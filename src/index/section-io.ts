import * as zlib from 'node:zlib';

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
 * The CRC-32 of each fixed-size block of a byte stream fed in pieces of any length (the last block may be short):
 * what the index stores so that a reader can check just the blocks it reads.
 */
export class BlockCrcs {
  readonly crcs: Uint32Array;
  private block = 0;
  private filled = 0;

  constructor(
    private readonly blockSize: number,
    totalBytes: number,
  ) {
    this.crcs = new Uint32Array(Math.ceil(totalBytes / blockSize));
  }

  push(bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length; ) {
      const n = Math.min(this.blockSize - this.filled, bytes.length - at);
      this.crcs[this.block] = crc32(bytes.subarray(at, at + n), this.crcs[this.block]);
      at += n;
      this.filled += n;
      if (this.filled === this.blockSize) {
        this.block++;
        this.filled = 0;
      }
    }
  }
}
