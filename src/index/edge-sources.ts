import type { IndexFile } from './index-file.js';

/**
 * The source of each of these edges (in increasing order): the last node whose first edge (section `name`,
 * non-decreasing) is at or before it, node 0 if none is. One pass over the section alongside the edges, a
 * checked run of blocks at a time: for thousands of edges, cheaper than searching a block or more for each.
 */
export function edgeSourcesByScan(file: IndexFile, name: string, sorted: ArrayLike<number>): Float64Array {
  const found = new Float64Array(sorted.length);
  let k = 0;
  file.scan(name, (piece, first) => {
    for (let j = 0; j < piece.length && k < sorted.length; j++) {
      const start = piece[j];
      // node first + j starts after these edges: the node before it is the last that does not
      while (k < sorted.length && sorted[k] < start) found[k++] = Math.max(first + j - 1, 0);
    }
  });
  const last = Math.max(file.entry(name).length - 1, 0);
  while (k < sorted.length) found[k++] = last;
  return found;
}
