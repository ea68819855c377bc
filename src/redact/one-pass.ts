import { SnapshotFormatError } from '../snapshot/format-error.js';
import { parseWholeArray } from '../snapshot/number-array.js';
import { numberScanner } from '../snapshot/number-scanner.js';
import { ForwardRecords, numbersIn } from '../snapshot/scan-targets.js';
import { markTraceFunctionNames } from './file-uses.js';
import type { FrontCopy } from './front-copy.js';
import { readLayout, type SnapshotLayout } from './layout.js';
import { BadRecord, RecordUses } from './record-uses.js';
import { findTrailingStrings } from './trailing-strings.js';

const READ_BUFFER = 4 << 20;

/** The file is laid out in a way this pass does not take (the two-pass way does). */
class NotOnePass extends Error {}

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
): { layout: SnapshotLayout; uses: Uint8Array } | null {
  let done = 0;
  const onBytes = (bytes: number) => {
    done += bytes;
    onFraction(Math.min(1, done / size));
  };
  let uses: RecordUses | undefined;
  try {
    const known = findTrailingStrings(fd, size, onBytes);
    if (!known) return null;
    copy.limit = known.open + 1;
    const scanner = numberScanner(READ_BUFFER);
    const copyRead = (buf: Uint8Array, pos: number, bytes: number) => copy.put(buf.subarray(1, 1 + bytes), pos);
    const numberArray = (key: string, start: number, header: SnapshotLayout['header'] | undefined) => {
      if (key !== 'nodes' && key !== 'edges') return undefined;
      if (!header) throw new NotOnePass();
      const { meta, nodeCount, edgeCount } = header;
      // counts the file cannot hold (every number takes two bytes at least) are not taken at their word here
      const numbers = nodeCount * meta.nodeFields.length + edgeCount * meta.edgeFields.length;
      if (2 * numbers > size) throw new NotOnePass();
      if (key === 'nodes') uses = new RecordUses(header, known.strings);
      // the edges need every node's edge count and store bit: the nodes must come first
      else if (!uses || uses.nodes.seen !== nodeCount) throw new NotOnePass();
      const width = key === 'nodes' ? meta.nodeFields.length : meta.edgeFields.length;
      const total = (key === 'nodes' ? nodeCount : edgeCount) * width;
      const sink = key === 'nodes' ? uses.nodes : uses.edges;
      const records = new ForwardRecords(total, width, numbersIn(scanner.buf.length), sink);
      copy.fillTo(start);
      return parseWholeArray(fd, scanner, start, records, key, onBytes, copyRead);
    };
    const layout = readLayout(fd, size, { copy, strings: known, numberArray });
    if (!uses) return null;
    uses.edges.finish();
    if (layout.traceInfosStart >= 0) markTraceFunctionNames(fd, layout, uses.uses);
    return { layout, uses: uses.uses };
  } catch (e) {
    if (e instanceof SnapshotFormatError || e instanceof BadRecord || e instanceof NotOnePass) return null;
    throw e;
  }
}
