import type { HeapSnapshot } from '../snapshot/snapshot.js';
import { ASCII, type StringTable, StringTableBuilder } from '../snapshot/string-table.js';
import { keeps, Replacer } from './replacement.js';
import { edgeNameUses, nodeNameUses, UseCollector } from './uses.js';

/** The uses of every string of a snapshot already in memory: the same rules as the file's passes (file-uses.ts). */
export function snapshotStringUses(s: HeapSnapshot): Uint8Array {
  const { meta, strings, nodes, nodeTypes, edgeTypes, edgeNames, edgeTargets, firstEdge } = s;
  const nf = s.nodeFieldCount;
  const nameAt = s.nodeNameOffset;
  const arrayType = s.nodeType.array;
  const internalType = s.edgeType.internal;
  const shortcutType = s.edgeType.shortcut;
  const propertiesNames = new Set<number>();
  const storeNames = new Set<number>();
  for (let i = strings.indexOf('properties'); i >= 0; i = strings.indexOf('properties', i + 1)) propertiesNames.add(i);
  for (let i = strings.indexOf('(object properties)'); i >= 0; i = strings.indexOf('(object properties)', i + 1)) {
    storeNames.add(i);
  }
  const collector = new UseCollector(strings.length, nodeNameUses(meta.nodeTypes), edgeNameUses(meta.edgeTypes), (n) =>
    propertiesNames.has(n),
  );
  for (let o = 0; o < s.nodeCount; o++) collector.node(nodeTypes[o], nodes[o * nf + nameAt]);
  const isStore = (o: number) => nodeTypes[o] === arrayType && storeNames.has(nodes[o * nf + nameAt]);
  const globals = new Set<number>();
  for (let e = firstEdge[0]; e < firstEdge[1]; e++) if (edgeTypes[e] === shortcutType) globals.add(edgeTargets[e]);
  for (let o = 0; o < s.nodeCount; o++) {
    collector.begin();
    for (let e = firstEdge[o]; e < firstEdge[o + 1]; e++) {
      const type = edgeTypes[e];
      collector.edge(type, edgeNames[e], type === internalType, type === internalType && isStore(edgeTargets[e]));
    }
    collector.end(globals.has(o));
  }
  return collector.uses;
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
