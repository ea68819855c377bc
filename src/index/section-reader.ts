import { BLOCK, type IndexFile, type Section } from './index-file.js';

const ARRAYS = { u8: Uint8Array, u32: Uint32Array, i32: Int32Array, f64: Float64Array };

/**
 * Elements of one section read through a small cache of blocks (direct-mapped, reused) instead of the file's
 * data buffer: each block read there is a fresh page the kernel faults in (~12-20 µs on a VM, more than reading
 * and checking the block again), so a pass over thousands of scattered blocks keeps to a few hundred KB.
 * Every block is checked when it is read; blocks the data buffer already holds are taken from it.
 */
export class SectionReader {
  private readonly held: Section;
  private readonly at: number;
  private readonly length: number;
  private readonly shift: number;
  private readonly cache: Uint8Array;
  private readonly cached: Section;
  private readonly tags: Float64Array;

  constructor(
    private readonly file: IndexFile,
    name: string,
    private readonly slots = 64,
  ) {
    const s = file.entry(name);
    const make = ARRAYS[s.kind];
    this.held = file.view(name);
    this.at = s.at;
    this.length = s.length;
    this.shift = Math.log2(make.BYTES_PER_ELEMENT);
    this.cache = new Uint8Array(slots * BLOCK);
    this.cached = new make(this.cache.buffer as ArrayBuffer);
    this.tags = new Float64Array(slots).fill(-1);
  }

  /** Element i (within the section). */
  get(i: number): number {
    if (!(i >= 0 && i < this.length)) throw new RangeError(`element ${i} of ${this.length}`);
    const byte = this.at + i * (1 << this.shift);
    const b = Math.floor(byte / BLOCK);
    if (this.file.holds(b)) return this.held[i];
    const slot = b % this.slots;
    if (this.tags[slot] !== b) {
      this.tags[slot] = -1; // not trusted until read and checked whole
      this.file.readBlock(b, this.cache.subarray(slot * BLOCK, (slot + 1) * BLOCK));
      this.tags[slot] = b;
    }
    return this.cached[(slot * BLOCK + byte - b * BLOCK) >> this.shift];
  }
}
