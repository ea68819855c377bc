import type { HeapSnapshot } from '../snapshot/snapshot.js';
import type { Retainers } from './types.js';

/**
 * Retainers as a second CSR built by counting: for node o, positions firstRetainer[o] … firstRetainer[o+1]-1
 * of retainerEdges / retainerNodes hold the edges pointing at o and their source nodes, in edge order.
 */
export function buildRetainers(s: HeapSnapshot): Retainers {
  const n = s.nodeCount;
  const m = s.edgeCount;
  const { edges, firstEdge, edgeFieldCount: ef } = s;
  const toOff = s.edgeToNodeOffset;
  // counts go two slots up so the prefix sums leave o's fill cursor at o+1, ending as o+1's start
  const cursor = new Uint32Array(n + 2);
  for (let e = 0; e < m; e++) cursor[edges[e * ef + toOff] + 2]++;
  for (let k = 1; k < n + 2; k++) cursor[k] += cursor[k - 1];
  const retainerEdges = new Uint32Array(m);
  const retainerNodes = new Uint32Array(m);
  for (let v = 0; v < n; v++) {
    for (let e = firstEdge[v], end = firstEdge[v + 1]; e < end; e++) {
      const k = cursor[edges[e * ef + toOff] + 1]++;
      retainerEdges[k] = e;
      retainerNodes[k] = v;
    }
  }
  return { firstRetainer: cursor.subarray(0, n + 1), retainerEdges, retainerNodes };
}

/** The node an edge comes from, by binary search over firstEdge (for the odd lookup; loops use firstEdge). */
export function edgeSource(s: HeapSnapshot, e: number): number {
  const fe = s.firstEdge;
  let lo = 0;
  let hi = s.nodeCount - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (fe[mid] <= e) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
