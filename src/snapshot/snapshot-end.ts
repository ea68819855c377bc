import type { FileWindow } from './file-window.js';
import { SnapshotFormatError } from './format-error.js';

/** The sections every snapshot has. */
const REQUIRED_SECTIONS = ['snapshot', 'nodes', 'edges', 'strings'];

/**
 * Checks what follows the top-level object's closing `}` at `close` (only whitespace) and that the sections every
 * snapshot has were all seen in it.
 */
export function checkSnapshotEnd(win: FileWindow, close: number, seen: ReadonlySet<string>): void {
  const after = win.skipWs(close + 1);
  if (after < win.size) throw new SnapshotFormatError('unexpected data after the end of the snapshot', after);
  for (const key of REQUIRED_SECTIONS) {
    if (!seen.has(key)) throw new SnapshotFormatError(`the '${key}' section is missing`, close);
  }
}
