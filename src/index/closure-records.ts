import type { IndexFile } from './index-file.js';

/**
 * For each node in `known`, the start (element index) of the last whole record of section `name` (records of
 * `size` u32 fields) whose field `field` names it, else -1: one pass over the section, a checked run of blocks at
 * a time, nothing kept. Records may straddle the runs; a part record at the end is no record.
 */
export function lastRecordsOf(file: IndexFile, name: string, size: number, field: number, known: Map<number, number>) {
  const end = Math.floor(file.entry(name).length / size) * size;
  // a bit per low 16 bits of the nodes asked for: most records are passed without a look at the map
  const maybe = new Int32Array(1 << 11);
  for (const o of known.keys()) maybe[(o & 0xffff) >>> 5] |= 1 << (o & 31);
  file.scan(name, (piece, first) => {
    const to = Math.min(piece.length, end - first);
    // the first element of this piece that is field `field` of a record
    for (let k = (((field - first) % size) + size) % size; k < to; k += size) {
      const o = piece[k];
      if ((maybe[(o & 0xffff) >>> 5] >>> (o & 31)) & 1 && known.has(o)) known.set(o, first + k - field);
    }
  });
}
