import { FileWindow } from '../snapshot/file-window.js';
import { SnapshotFormatError } from '../snapshot/format-error.js';
import { skipString, skipValue } from '../snapshot/json-skip.js';
import { parseHeader, type SnapshotHeader } from '../snapshot/meta.js';

const MAX_HEADER_BYTES = 16 << 20;

/** The header of a snapshot and where its `nodes` start (just after the `[`). */
export interface FrontHeader {
  header: SnapshotHeader;
  nodesStart: number;
}

/**
 * The header and the start of `nodes` when the file begins as V8 writes it, `{"snapshot":{…},"nodes":[`, read
 * before anything else so that the nodes can be parsed while the strings are (parallel-pass.ts). Null otherwise,
 * or when the header does not read: the walk over the whole file (layout.ts) finds the same again and checks it.
 */
export function readFrontHeader(fd: number, size: number): FrontHeader | null {
  const win = new FileWindow(fd, size, 64 << 10);
  try {
    let p = win.skipWs(0);
    if (win.byte(p) !== 123) return null;
    p = key(win, win.skipWs(p + 1), 'snapshot');
    if (p < 0) return null;
    const end = skipValue(win, p, MAX_HEADER_BYTES);
    const header = parseHeader(win.read(p, end).toString('utf8'), p);
    p = win.skipWs(end);
    if (win.byte(p) !== 44) return null;
    p = key(win, win.skipWs(p + 1), 'nodes');
    if (p < 0 || win.byte(p) !== 91) return null;
    return { header, nodesStart: p + 1 };
  } catch (e) {
    if (e instanceof SnapshotFormatError) return null;
    throw e;
  }
}

/** Past `"<name>":` and the whitespace after it when the key at p is `name`, else -1. */
function key(win: FileWindow, p: number, name: string): number {
  if (win.byte(p) !== 34) return -1;
  const end = skipString(win, p);
  if (end - p > 64 || win.read(p, end).toString('latin1') !== `"${name}"`) return -1;
  p = win.skipWs(end);
  return win.byte(p) === 58 ? win.skipWs(p + 1) : -1;
}
