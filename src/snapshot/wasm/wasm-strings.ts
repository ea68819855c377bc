import type { FileWindow } from '../file-window.js';
import type { StringSink } from '../string-table.js';
import {
  STRINGS_INPUT_FROM,
  STRINGS_STATE_BYTES,
  STRINGS_STATE_COUNT,
  STRINGS_STATE_POS,
  stringsModule,
} from './strings-module.js';

type TakeStrings = (
  i: number,
  to: number,
  out: number,
  outLimit: number,
  ends: number,
  flags: number,
  maxCount: number,
) => number;

/**
 * The strings section read by WebAssembly (strings-module.ts), but for what it leaves to the JS reader. Its memory holds the reader's
 * file window (`window`, given to FileWindow as its buffer), where the strings are found, and a staging area
 * they are copied to, then into the StringTable's chunk in one copy per run.
 */
export class WasmStringScanner {
  readonly window: Buffer;
  private readonly takeStrings: TakeStrings;
  private readonly state: Int32Array;
  private readonly memory: WebAssembly.Memory;
  private readonly out: number;
  private readonly ends: number;
  private readonly flags: number;
  private readonly maxCount: number;

  constructor(windowBytes: number) {
    const instance = new WebAssembly.Instance(stringsModule(), {});
    this.memory = instance.exports.mem as WebAssembly.Memory;
    const align = (n: number) => (n + 15) & ~15;
    this.out = align(STRINGS_INPUT_FROM + windowBytes + 16);
    // a string takes at least 3 bytes of the window: its quotes and a separator
    this.maxCount = Math.floor(windowBytes / 3) + 1;
    this.ends = align(this.out + windowBytes + 32);
    this.flags = this.ends + this.maxCount * 4;
    const bytes = this.flags + this.maxCount;
    const pages = Math.ceil(bytes / 65536) - this.memory.buffer.byteLength / 65536;
    if (pages > 0) this.memory.grow(pages);
    this.window = Buffer.from(this.memory.buffer, STRINGS_INPUT_FROM, windowBytes);
    this.state = new Int32Array(this.memory.buffer, 0, 3);
    this.takeStrings = instance.exports.takeStrings as TakeStrings;
  }

  /**
   * Takes the strings from file position p (a string's opening quote, in the window) into the table.
   * Returns why it stopped (STRINGS_STOP) and the file position it stopped at.
   */
  take(win: FileWindow, p: number, table: StringSink): { stop: number; pos: number } {
    const from = STRINGS_INPUT_FROM - win.base;
    const stop = this.takeStrings(
      from + p,
      from + win.base + win.len,
      this.out,
      table.chunk.length - table.used,
      this.ends,
      this.flags,
      this.maxCount,
    );
    const count = this.state[STRINGS_STATE_COUNT >> 2];
    if (count > 0) {
      const buffer = this.memory.buffer;
      table.addMany(
        new Uint8Array(buffer, this.out, this.state[STRINGS_STATE_BYTES >> 2]),
        new Uint32Array(buffer, this.ends, count),
        new Uint8Array(buffer, this.flags, count),
      );
    }
    return { stop, pos: this.state[STRINGS_STATE_POS >> 2] - from };
  }
}
