import type { SnapshotHeader } from '../snapshot/meta.js';
import type { HeapSnapshot } from '../snapshot/snapshot.js';
import { ASCII, type StringTable, StringTableBuilder } from '../snapshot/string-table.js';
import { RecordUses } from './record-uses.js';
import { keeps, Replacer } from './replacement.js';

/** Records rebuilt at once from the arrays in memory. */
const BATCH = 4096;
/** The records handed to the rules: [type, name, edge_count] per node, [type, name_or_index, to_node] per edge. */
const FIELDS = 3;

/**
 * The uses of every string of a snapshot already in memory, by the file's rules (record-uses.ts): its node and
 * edge arrays are handed over as the file's records, a batch at a time.
 */
export function snapshotStringUses(s: HeapSnapshot): Uint8Array {
  const { nodes, nodeTypes, edgeTypes, edgeNames, edgeTargets, firstEdge, nodeCount, edgeCount } = s;
  const meta = {
    ...s.meta,
    nodeFields: ['type', 'name', 'edge_count'],
    edgeFields: ['type', 'name_or_index', 'to_node'],
  };
  const header: SnapshotHeader = { meta, nodeCount, edgeCount, countsAt: 0 };
  const uses = new RecordUses(header, s.strings);
  const nf = s.nodeFieldCount;
  const nameAt = s.nodeNameOffset;
  const batch = new Uint32Array(BATCH * FIELDS);
  for (let first = 0; first < nodeCount; first += BATCH) {
    const count = Math.min(BATCH, nodeCount - first);
    for (let k = 0, o = first; k < count; k++, o++) {
      batch[k * FIELDS] = nodeTypes[o];
      batch[k * FIELDS + 1] = nodes[o * nf + nameAt];
      batch[k * FIELDS + 2] = firstEdge[o + 1] - firstEdge[o];
    }
    uses.nodes.records(batch, 0, first, count);
  }
  for (let first = 0; first < edgeCount; first += BATCH) {
    const count = Math.min(BATCH, edgeCount - first);
    for (let k = 0, e = first; k < count; k++, e++) {
      batch[k * FIELDS] = edgeTypes[e];
      batch[k * FIELDS + 1] = edgeNames[e];
      batch[k * FIELDS + 2] = edgeTargets[e] * FIELDS;
    }
    uses.edges.records(batch, 0, first, count);
  }
  uses.edges.finish();
  return uses.uses;
}

/**
 * Replaces the snapshot's string table by its redacted one (same-length placeholders, as `heapwatch redact`
 * writes them), so every report made from it prints no string value: `analyze --redact`.
 */
export function redactSnapshotStrings(s: HeapSnapshot): void {
  const uses = snapshotStringUses(s);
  const table = redactedTable(s.strings, uses);
  // the one place a snapshot's table is swapped: before any analysis has read a name
  (s as { strings: StringTable }).strings = table;
}

function redactedTable(strings: StringTable, uses: Uint8Array): StringTable {
  let bytes = 0;
  for (let i = 0; i < strings.length; i++) bytes += strings.byteLength(i);
  const builder = new StringTableBuilder(Math.max(1, bytes));
  const replacer = new Replacer('placeholder');
  let left = bytes;
  for (let i = 0; i < strings.length; i++) {
    const raw = strings.rawBytes(i);
    if (keeps(strings, uses, i)) {
      builder.copy(raw, 0, raw.length, strings.flagsOf(i), left);
    } else {
      const text = Buffer.from(replacer.replacement(strings, i), 'latin1');
      builder.copy(text, 0, text.length, ASCII, left);
    }
    left -= raw.length;
  }
  return builder.finish();
}
