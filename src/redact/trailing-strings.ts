import { FileWindow } from '../snapshot/file-window.js';
import { SnapshotFormatError } from '../snapshot/format-error.js';
import { readStringsInto } from '../snapshot/strings-section.js';
import { WasmStringScanner } from '../snapshot/wasm/wasm-strings.js';
import { lastIndexBefore } from './last-index.js';
import type { KnownStrings } from './layout.js';
import { StringSizesBuilder } from './string-sizes.js';

/**
 * The key of the strings section with its `[`. Inside a string its quotes would be escaped, and in an array of
 * strings a string is followed by `,` or `]`, never `:`: so a valid strings array that ends the file does not hold
 * these bytes, and the last of them in such a file opens it.
 */
const STRINGS_KEY = Buffer.from('"strings":[');

/**
 * Finds and reads the strings section of a snapshot laid out as V8 writes it, the strings last: searches back from
 * the end of the file for the key that opens them, reads them, and checks that they end the file (`]`, `}`,
 * whitespace). Null when the file is not laid out so, or its strings do not read: the caller then walks the file
 * from the front (which reports any defect where it is). The walk that follows must meet the strings here.
 */
export function findTrailingStrings(
  fd: number,
  size: number,
  onBytes: (bytes: number) => void,
  bufferSize = 4 << 20,
): KnownStrings | null {
  const open = findStringsOpen(fd, size);
  return open < 0 ? null : readTrailingStrings(fd, size, open, onBytes, bufferSize);
}

/** File offset of the `[` of the last strings key (see STRINGS_KEY), -1 when there is none. */
export function findStringsOpen(fd: number, size: number): number {
  const key = lastIndexBefore(fd, STRINGS_KEY, 0, size);
  return key < 0 ? -1 : key + STRINGS_KEY.length - 1;
}

/** The strings array whose `[` is at `open`, when it reads and ends the file; else null. */
export function readTrailingStrings(
  fd: number,
  size: number,
  open: number,
  onBytes: (bytes: number) => void,
  bufferSize = 4 << 20,
): KnownStrings | null {
  const plain = typeof WebAssembly === 'object' ? new WasmStringScanner(bufferSize) : undefined;
  const win = new FileWindow(fd, size, bufferSize, plain?.window);
  try {
    const sizes = new StringSizesBuilder(size - open - 1);
    const { strings, end } = readStringsInto(win, open + 1, onBytes, sizes, plain);
    const brace = win.skipWs(end);
    if (win.byte(brace) !== 125 || win.skipWs(brace + 1) !== size) return null;
    return { open, close: end - 1, strings };
  } catch (e) {
    if (e instanceof SnapshotFormatError) return null;
    throw e;
  }
}
