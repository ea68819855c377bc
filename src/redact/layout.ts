import { FileWindow } from '../snapshot/file-window.js';
import { SnapshotFormatError } from '../snapshot/format-error.js';
import { skipString, skipValue, unexpected } from '../snapshot/json-skip.js';
import { parseHeader, type SnapshotHeader } from '../snapshot/meta.js';
import { checkSnapshotEnd } from '../snapshot/snapshot-end.js';
import { readStringsInto } from '../snapshot/strings-section.js';
import { WasmStringScanner } from '../snapshot/wasm/wasm-strings.js';
import type { FrontCopy } from './front-copy.js';
import { type StringSizes, StringSizesBuilder } from './string-sizes.js';

/** Where a snapshot's sections are, and its strings' sizes (the one thing the redactor holds whole). */
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
  strings: StringSizes;
}

const MAX_HEADER_BYTES = 16 << 20;
/** Sections that are flat arrays of numbers: stepped over by looking for their `]` (checked where read). */
const NUMBER_ARRAYS = ['nodes', 'edges', 'trace_function_infos', 'samples', 'locations'];

/** The strings section, read already (from the end of the file: see trailing-strings.ts). */
export interface KnownStrings {
  /** File offsets of its `[` and `]`. */
  open: number;
  close: number;
  strings: StringSizes;
}

/** What the walk does besides finding the sections. */
export interface LayoutHooks {
  /** The output: the bytes before the strings are copied to it as they are stepped over. */
  copy?: FrontCopy;
  /** The strings, when read already: the walk only checks that it meets them where they were found. */
  strings?: KnownStrings;
  /**
   * Reads the number array whose body starts at `start` instead of stepping over it (copying it when there is a
   * `copy`); returns the position of its `]`, or undefined to have it stepped over.
   */
  numberArray?: (key: string, start: number, header: SnapshotHeader | undefined) => number | undefined;
}

/**
 * Walks the top-level object of a snapshot: reads the header and the strings, steps over everything else.
 * Number arrays are only jumped over here (the passes that read them check them) unless a hook reads them; with
 * `copy`, the ones before the strings are copied to the output as they are stepped over.
 */
export function readLayout(fd: number, size: number, hooks: LayoutHooks = {}, bufferSize = 1 << 20): SnapshotLayout {
  const { copy, strings: known, numberArray } = hooks;
  const plain = typeof WebAssembly === 'object' && !known ? new WasmStringScanner(bufferSize) : undefined;
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
      if (known && p !== known.open) throw new SnapshotFormatError('the strings are not where they were found', p);
      const { strings, end } = known
        ? { strings: known.strings, end: known.close + 1 }
        : readStringsInto(win, p + 1, () => {}, new StringSizesBuilder(win.size - p - 1), plain);
      found.stringsOpen = p;
      found.stringsClose = end - 1;
      found.strings = strings;
      p = end;
    } else if (NUMBER_ARRAYS.includes(key)) {
      if (win.byte(p) !== 91) throw unexpected(win, p, `'[' to open ${key}`);
      if (key === 'nodes') found.nodesStart = p + 1;
      if (key === 'edges') found.edgesStart = p + 1;
      if (key === 'trace_function_infos') found.traceInfosStart = p + 1;
      const close =
        numberArray?.(key, p + 1, found.header) ??
        (copy && found.stringsOpen === undefined ? copy.through(93, p + 1) : win.indexOf(93, p + 1));
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
  checkSnapshotEnd(win, p, seen);
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
