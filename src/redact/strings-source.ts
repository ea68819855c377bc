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
  /** The window's buffer; in it, `rel`: just past the last string taken (or the section's `[`); `len`: the bytes read. */
  buf: Buffer;
  rel: number;
  len = 0;
  private first = true;

  constructor(fd: number, size: number, open: number, bufferSize = 1 << 20) {
    this.win = new FileWindow(fd, size, bufferSize);
    this.buf = this.win.buf;
    this.rel = open + 1 - this.win.base;
  }

  /**
   * The next string, `n` bytes long in the file: its bytes are buf[at, at + n) for the `at` returned, until the
   * next call. Throws when the file no longer has a string of that size there (it changed since it was read).
   * (Output.redactedStrings takes the strings after V8's separator, `,\n"`, in the window itself, and calls this
   * for the others.)
   */
  next(n: number): number {
    const win = this.win;
    const rel = this.rel;
    const buf = this.buf;
    const q =
      !this.first && rel + 3 + n < this.len && buf[rel] === COMMA && buf[rel + 1] === NEWLINE && buf[rel + 2] === QUOTE
        ? win.base + rel + 3
        : this.opening(win.base + rel);
    this.first = false;
    if (!win.fill(q, n + 1) || win.buf[q + n - win.base] !== QUOTE) throw changed();
    this.buf = win.buf;
    this.len = win.len;
    this.rel = q + n + 1 - win.base;
    return q - win.base;
  }

  /** The first byte of the string after file offset `pos`, past any separator (whitespace, and a comma but before the first). */
  private opening(pos: number): number {
    const win = this.win;
    let p = win.skipWs(pos);
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
