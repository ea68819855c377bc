import { prefaulted } from './prefault.js';
import type { HeapAnalysis } from './types.js';

/** One string value held by more than one string object. */
export interface DuplicateString {
  /** The value (as the snapshot stores it: V8 cuts long string names short). */
  value: string;
  count: number;
  /** Size of one copy in bytes. */
  selfSize: number;
  /** Bytes that one shared copy would save: (count - 1) × selfSize. */
  wastedSize: number;
}

/**
 * Flat strings with the same value held more than once, most wasted bytes first. The snapshot's strings
 * table stores each value once, so equal values share a name index: counting per index is counting per
 * value, in typed arrays over the strings table. A name whose copies differ in size is a value V8 cut
 * short in the snapshot (different strings with a common prefix), and is left out rather than guessed.
 */
export function duplicateStrings(a: HeapAnalysis, limit = 20): DuplicateString[] {
  const s = a.snapshot;
  const { nodes, nodeFieldCount: nf } = s;
  const types = s.nodeTypes;
  const nameOff = s.nodeNameOffset;
  const sizeOff = s.nodeSelfSizeOffset;
  const stringType = s.nodeType.string;
  const count = prefaulted(new Uint32Array(s.strings.length));
  const size = new Float64Array(s.strings.length);
  for (let o = 0, n = s.nodeCount; o < n; o++) {
    if (types[o] !== stringType) continue;
    const base = o * nf;
    const name = nodes[base + nameOff];
    const bytes = nodes[base + sizeOff];
    if (count[name] === 0) size[name] = bytes;
    else if (size[name] !== bytes) size[name] = -1; // cut-short name shared by different strings
    count[name]++;
  }
  // keep the `limit` largest by wasted bytes without sorting every string; values are decoded for those only
  const picked: { name: number; wastedSize: number }[] = [];
  let floor = 0;
  for (let k = 0; k < count.length; k++) {
    if (count[k] < 2 || size[k] <= 0) continue;
    const wasted = (count[k] - 1) * size[k];
    if (picked.length >= limit && wasted <= floor) continue;
    picked.push({ name: k, wastedSize: wasted });
    if (picked.length > limit * 4) {
      picked.sort((x, y) => y.wastedSize - x.wastedSize);
      picked.length = limit;
      floor = picked[limit - 1].wastedSize;
    }
  }
  const rows: DuplicateString[] = picked.map(({ name, wastedSize }) => ({
    value: s.strings.get(name),
    count: count[name],
    selfSize: size[name],
    wastedSize,
  }));
  rows.sort((x, y) => y.wastedSize - x.wastedSize || (x.value < y.value ? -1 : 1));
  return rows.slice(0, limit);
}
