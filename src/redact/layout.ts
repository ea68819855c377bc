import { FileWindow } from '../snapshot/file-window.js';
import { SnapshotFormatError } from '../snapshot/format-error.js';
import { skipString, skipValue, unexpected } from '../snapshot/json-skip.js';
import { parseHeader, type SnapshotHeader } from '../snapshot/meta.js';
import type { StringTable } from '../snapshot/string-table.js';
import { readStrings } from '../snapshot/strings-section.js';
import { WasmStringScanner } from '../snapshot/wasm/wasm-strings.js';
import type { FrontCopy } from './front-copy.js';

/** Where a snapshot's sections are, and its string table (the one thing the redactor holds whole). */
export interface SnapshotLayout {
  header: SnapshotHeader;
  /** File offsets just after the `[` of nodes and edges. */
  nodesStart: number;
  edgesStart: number;
  /** File offset just after the `[` of trace_function_infos when it is there. */
  traceInfosStart: number;
  /** File offsets of the strings array's `[` and `]`. */
  stringsOpen: number;
  stringsClose: number;
  strings: StringTable;
}

const MAX_HEADER_BYTES = 16 << 20;
/** Sections that are flat arrays of numbers: stepped over by looking for their `]` (checked where read). */
const NUMBER_ARRAYS = ['nodes', 'edges', 'trace_function_infos', 'samples', 'locations'];

/**
 * Walks the top-level object of a snapshot: reads the header and the strings, steps over everything else.
 * Number arrays are only jumped over here (the passes that read them check them); with `copy`, the ones before
 * the strings are copied to the output as they are stepped over.
 */
export function readLayout(fd: number, size: number, copy?: FrontCopy, bufferSize = 4 << 20): SnapshotLayout {
  const plain = typeof WebAssembly === 'object' ? new WasmStringScanner(bufferSize) : undefined;
  const win = new FileWindow(fd, size, bufferSize, plain?.window);
  const found: Partial<SnapshotLayout> = { traceInfosStart: -1 };
  const seen = new Set<string>();
  if (size === 0) throw new SnapshotFormatError('empty file', 0);
  let p = win.skipWs(0);
  if (win.byte(p) !== 123) throw new SnapshotFormatError('not a heap snapshot: expected a JSON object', p);
  p = win.skipWs(p + 1);
  while (win.byte(p) !== 125) {
    if (win.byte(p) !== 34) throw unexpected(win, p, 'a section name');
    const keyEnd = skipString(win, p);
    const key = sectionName(win, p, keyEnd);
    if (seen.has(key)) throw new SnapshotFormatError(`the '${key}' section appears twice`, p);
    seen.add(key);
    p = win.skipWs(keyEnd);
    if (win.byte(p) !== 58) throw unexpected(win, p, "':'");
    p = win.skipWs(p + 1);
    if (key === 'snapshot') {
      const end = skipValue(win, p, MAX_HEADER_BYTES);
      found.header = parseHeader(win.read(p, end).toString('utf8'), p);
      p = end;
    } else if (key === 'strings') {
      if (win.byte(p) !== 91) throw unexpected(win, p, "'[' to open strings");
      const { strings, end } = readStrings(win, p + 1, () => {}, undefined, plain);
      found.stringsOpen = p;
      found.stringsClose = end - 1;
      found.strings = strings;
      p = end;
    } else if (NUMBER_ARRAYS.includes(key)) {
      if (win.byte(p) !== 91) throw unexpected(win, p, `'[' to open ${key}`);
      if (key === 'nodes') found.nodesStart = p + 1;
      if (key === 'edges') found.edgesStart = p + 1;
      if (key === 'trace_function_infos') found.traceInfosStart = p + 1;
      const close = copy && found.stringsOpen === undefined ? copy.through(93, p + 1) : win.indexOf(93, p + 1);
      if (close < 0) throw new SnapshotFormatError(`file ends inside the ${key} array`, size);
      p = close + 1;
    } else {
      p = skipValue(win, p);
    }
    p = win.skipWs(p);
    const c = win.byte(p);
    if (c === 125) break;
    if (c !== 44) throw unexpected(win, p, "',' or '}'");
    p = win.skipWs(p + 1);
  }
  const after = win.skipWs(p + 1);
  if (after < size) throw new SnapshotFormatError('unexpected data after the end of the snapshot', after);
  for (const key of ['snapshot', 'nodes', 'edges', 'strings']) {
    if (!seen.has(key)) throw new SnapshotFormatError(`the '${key}' section is missing`, p);
  }
  if (found.nodesStart! < found.header!.countsAt || found.edgesStart! < found.header!.countsAt) {
    throw new SnapshotFormatError('the nodes and edges come before the snapshot meta', found.nodesStart!);
  }
  return found as SnapshotLayout;
}

function sectionName(win: FileWindow, from: number, to: number): string {
  try {
    return JSON.parse(win.read(from, Math.min(to, from + 4096)).toString('utf8')) as string;
  } catch {
    throw new SnapshotFormatError('bad section name', from);
  }
}
