import type { HeapSnapshot } from '../snapshot/snapshot.js';

const ATTACHED = 1;
const DETACHED = 2;

/**
 * DevTools' DOM state propagation for embedder (`native`) nodes: a native node reachable (over edges other
 * than hidden and weak) from an attached native node is attached; otherwise, reachable from a detached one,
 * it is detached. Propagation does not pass through JavaScript nodes. Returns 1 for each native node shown as
 * "Detached …", or null when the snapshot has no DOM state at all (always the case for Node).
 */
export function detachedNativeNodes(s: HeapSnapshot): Uint8Array | null {
  if (s.nodeDetachednessOffset < 0) return null;
  const n = s.nodeCount;
  const { nodes, edges, firstEdge, nodeFieldCount: nf, edgeFieldCount: ef } = s;
  const detOff = s.nodeDetachednessOffset;
  const typeOff = s.nodeTypeOffset;
  const native = s.nodeType.native;
  let any = false;
  for (let o = 0; o < n && !any; o++) any = (nodes[o * nf + detOff] & 3) !== 0;
  if (!any) return null;

  const state = new Uint8Array(n);
  const visited = new Uint8Array(n);
  const attached: number[] = [];
  const detached: number[] = [];
  const visit = (o: number, st: number): void => {
    if (visited[o]) return;
    visited[o] = 1;
    if (nodes[o * nf + typeOff] !== native) return;
    state[o] = st;
    if (st === ATTACHED) attached.push(o);
    else if (st === DETACHED) detached.push(o);
  };
  for (let o = 0; o < n; o++) {
    const st = nodes[o * nf + detOff] & 3;
    if (st !== 0) visit(o, st);
  }
  const hidden = s.edgeType.hidden;
  const weak = s.edgeType.weak;
  const spread = (v: number, st: number): void => {
    for (let e = firstEdge[v], end = firstEdge[v + 1]; e < end; e++) {
      const t = edges[e * ef + s.edgeTypeOffset];
      if (t === hidden || t === weak) continue;
      visit(edges[e * ef + s.edgeToNodeOffset], st);
    }
  };
  while (attached.length) spread(attached.pop()!, ATTACHED);
  while (detached.length) {
    const o = detached.pop()!;
    if (state[o] !== ATTACHED) spread(o, DETACHED);
  }
  const out = new Uint8Array(n);
  for (let o = 0; o < n; o++) out[o] = state[o] === DETACHED ? 1 : 0;
  return out;
}
