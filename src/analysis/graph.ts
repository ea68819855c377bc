import type { HeapSnapshot } from '../snapshot/snapshot.js';
import { prefaulted } from './prefault.js';
import type { Retainers } from './types.js';

/**
 * Retainers as a second CSR built by counting: for node o, positions firstRetainer[o] … firstRetainer[o+1]-1
 * of retainerEdges / retainerNodes hold the edges pointing at o and their source nodes, in edge order.
 */
export function buildRetainers(s: HeapSnapshot): Retainers {
  const n = s.nodeCount;
  const m = s.edgeCount;
  const { edgeTargets, firstEdge } = s;
  // counts go two slots up so the prefix sums leave o's fill cursor at o+1, ending as o+1's start
  const cursor = prefaulted(new Uint32Array(n + 2));
  for (let e = 0; e < m; e++) cursor[edgeTargets[e] + 2]++;
  for (let k = 1; k < n + 2; k++) cursor[k] += cursor[k - 1];
  const retainerEdges = new Uint32Array(m);
  const retainerNodes = new Uint32Array(m);
  for (let v = 0; v < n; v++) {
    for (let e = firstEdge[v], end = firstEdge[v + 1]; e < end; e++) {
      const k = cursor[edgeTargets[e] + 1]++;
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

/** The edges into each of a few target nodes, in edge order, by one pass over all edges (no CSR needed). */
export function edgesInto(s: HeapSnapshot, targets: readonly number[]): number[][] {
  const slot = new Map<number, number>();
  targets.forEach((t, i) => {
    if (!slot.has(t)) slot.set(t, i);
  });
  const found: number[][] = targets.map(() => []);
  const { edgeTargets } = s;
  const wanted = new Uint8Array(s.nodeCount);
  for (const t of targets) wanted[t] = 1;
  for (let e = 0, m = s.edgeCount; e < m; e++) {
    const w = edgeTargets[e];
    if (wanted[w]) found[slot.get(w)!].push(e);
  }
  return targets.map((t) => found[slot.get(t)!]);
}

/** Ordinals of the nodes with these ids (-1 where the snapshot has no such id), by one pass over the nodes. */
export function ordinalsOfIds(s: HeapSnapshot, ids: readonly number[]): number[] {
  if (ids.length <= FEW_IDS) return ordinalsOfFewIds(s, ids);
  const want = new Map<number, number>();
  for (const id of ids) want.set(id, -1);
  // a bit per (id >> 1) mod 2^16 rules out almost every node before the Map lookup (V8's ids are even)
  const maybe = new Uint8Array(1 << 13);
  for (const id of ids) maybe[(id >>> 4) & 0x1fff] |= 1 << ((id >>> 1) & 7);
  const { nodes, nodeFieldCount: nf } = s;
  for (let o = 0, i = s.nodeIdOffset, n = s.nodeCount; o < n; o++, i += nf) {
    const id = nodes[i];
    if ((maybe[(id >>> 4) & 0x1fff] >>> ((id >>> 1) & 7)) & 1 && want.get(id) === -1) want.set(id, o);
  }
  return ids.map((id) => want.get(id)!);
}

// up to this many ids, comparing each node's id with each of them beats a Map lookup per node (and stops early)
const FEW_IDS = 8;

function ordinalsOfFewIds(s: HeapSnapshot, ids: readonly number[]): number[] {
  const out = ids.map(() => -1);
  const { nodes, nodeFieldCount: nf } = s;
  let left = ids.length;
  for (let o = 0, i = s.nodeIdOffset, n = s.nodeCount; o < n && left > 0; o++, i += nf) {
    const id = nodes[i];
    for (let k = 0; k < ids.length; k++) {
      if (ids[k] === id && out[k] < 0) {
        out[k] = o;
        left--;
      }
    }
  }
  return out;
}
