import { runtimeError } from '../errors.js';
import { FileWindow } from '../snapshot/file-window.js';

const QUOTE = 0x22;
const COMMA = 0x2c;
const NEWLINE = 0x0a;

/**
 * The strings section read again from the file, string by string, while the redacted copy's strings are written
 * (StringSizes knows each one's size, not its bytes): through a reused window, so no memory is touched anew.
 */
export class StringsSource {
  private readonly win: FileWindow;
  /** File offset just past the last string taken (its closing quote), or just past the section's `[`. */
  private pos: number;
  private first = true;

  constructor(fd: number, size: number, open: number, bufferSize = 4 << 20) {
    this.win = new FileWindow(fd, size, bufferSize);
    this.pos = open + 1;
  }

  /** The buffer the index next() returns is into (it may change at each call). */
  get buf(): Buffer {
    return this.win.buf;
  }

  /**
   * The next string, `n` bytes long in the file: its bytes are buf[at, at + n) for the `at` returned, until the
   * next call. Throws when the file no longer has a string of that size there (it changed since it was read).
   */
  next(n: number): number {
    const win = this.win;
    const rel = this.pos - win.base;
    const buf = win.buf;
    // V8's separator, `,\n"`, in the window with the string and its closing quote
    const q =
      !this.first && rel + 3 + n < win.len && buf[rel] === COMMA && buf[rel + 1] === NEWLINE && buf[rel + 2] === QUOTE
        ? this.pos + 3
        : this.opening();
    this.first = false;
    if (!win.fill(q, n + 1) || win.buf[q + n - win.base] !== QUOTE) throw changed();
    this.pos = q + n + 1;
    return q - win.base;
  }

  /** The first byte of the next string after any separator (whitespace, and a comma but before the first). */
  private opening(): number {
    const win = this.win;
    let p = win.skipWs(this.pos);
    if (!this.first) {
      if (win.byte(p) !== COMMA) throw changed();
      p = win.skipWs(p + 1);
    }
    if (win.byte(p) !== QUOTE) throw changed();
    return p + 1;
  }
}

function changed(): Error {
  return runtimeError('the snapshot changed while it was being read', 'IO');
}
