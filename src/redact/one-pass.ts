import { SnapshotFormatError } from '../snapshot/format-error.js';
import { parseWholeArray } from '../snapshot/number-array.js';
import { numberScanner } from '../snapshot/number-scanner.js';
import { ForwardRecords, numbersIn } from '../snapshot/scan-targets.js';
import { markTraceFunctionNames } from './file-uses.js';
import type { FrontCopy } from './front-copy.js';
import { type KnownStrings, readLayout, type SnapshotLayout } from './layout.js';
import { BadRecord, RecordUses } from './record-uses.js';
import { findTrailingStrings } from './trailing-strings.js';

const READ_BUFFER = 4 << 20;

/** The file is laid out in a way this pass does not take (the two-pass way does). */
export class NotOnePass extends Error {}

/**
 * The layout and the string uses of a snapshot laid out as V8 writes it, reading the file once: the strings first,
 * found from the end (trailing-strings.ts); then one walk from the front that parses the nodes and the edges with
 * the reader's number parsing (record-uses.ts takes the records) and copies every byte before the strings to the
 * output as it goes. Null when the file is laid out otherwise or holds a defect: the caller then starts over the
 * two-pass way (layout.ts, file-uses.ts), which reports the defect as it always has.
 */
export function readOnePass(
  fd: number,
  size: number,
  copy: FrontCopy,
  onFraction: (fraction: number) => void,
): OnePass | null {
  const onBytes = progressOf(size, onFraction);
  try {
    const known = findTrailingStrings(fd, size, onBytes);
    return known && readFront(fd, size, known, copy, onBytes);
  } catch (e) {
    if (e instanceof SnapshotFormatError || e instanceof BadRecord || e instanceof NotOnePass) return null;
    throw e;
  }
}

export interface OnePass {
  layout: SnapshotLayout;
  uses: Uint8Array;
}

/** Reports the bytes read as a fraction of the file. */
export function progressOf(size: number, onFraction: (fraction: number) => void): (bytes: number) => void {
  let done = 0;
  return (bytes: number) => {
    done += bytes;
    onFraction(Math.min(1, done / size));
  };
}

/** True for the errors that make the one-pass way give up (the two-pass way then reports what is wrong). */
export function notOnePass(e: unknown): boolean {
  return e instanceof SnapshotFormatError || e instanceof BadRecord || e instanceof NotOnePass;
}

/**
 * The walk from the front once the strings are known: the layout, and the uses from nodes and edges parsed on
 * this thread. With `copy`, the bytes before the strings are copied to the output as they are read (else some
 * other thread copies them). Throws what notOnePass() tells apart when the file is not for this way.
 */
export function readFront(
  fd: number,
  size: number,
  known: KnownStrings,
  copy: FrontCopy | null,
  onBytes: (bytes: number) => void,
): OnePass | null {
  let uses: RecordUses | undefined;
  if (copy) copy.limit = known.open + 1;
  const scanner = numberScanner(READ_BUFFER);
  const copyRead = copy
    ? (buf: Uint8Array, pos: number, bytes: number) => copy.put(buf.subarray(1, 1 + bytes), pos)
    : undefined;
  const numberArray = (key: string, start: number, header: SnapshotLayout['header'] | undefined) => {
    if (key !== 'nodes' && key !== 'edges') return undefined;
    if (!header) throw new NotOnePass();
    const { meta, nodeCount, edgeCount } = header;
    // counts the file cannot hold (every number takes two bytes at least) are not taken at their word here
    const numbers = nodeCount * meta.nodeFields.length + edgeCount * meta.edgeFields.length;
    if (2 * numbers > size) throw new NotOnePass();
    if (key === 'nodes') uses = new RecordUses(header, known.strings.named);
    // the edges need every node's edge count and store bit: the nodes must come first
    else if (!uses || uses.nodes.seen !== nodeCount) throw new NotOnePass();
    const width = key === 'nodes' ? meta.nodeFields.length : meta.edgeFields.length;
    const total = (key === 'nodes' ? nodeCount : edgeCount) * width;
    const sink = key === 'nodes' ? uses.nodes : uses.edges;
    const records = new ForwardRecords(total, width, numbersIn(scanner.buf.length), sink);
    copy?.fillTo(start);
    return parseWholeArray(fd, scanner, start, records, key, onBytes, copyRead);
  };
  const layout = readLayout(fd, size, { copy: copy ?? undefined, strings: known, numberArray });
  if (!uses) return null;
  uses.edges.finish();
  if (layout.traceInfosStart >= 0) markTraceFunctionNames(fd, layout, uses.uses);
  return { layout, uses: uses.uses };
}
