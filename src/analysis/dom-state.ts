import type { HeapSnapshot } from '../snapshot/snapshot.js';
import { prefaulted } from './prefault.js';

const ATTACHED = 1;
/** The value detachedNativeNodes gives a native node DevTools shows as "Detached …". */
export const DETACHED = 2;
const VISITED = 3; // looked at, not a native node: the state does not pass through it

/**
 * DevTools' DOM state propagation for embedder (`native`) nodes: a native node reachable (over edges other
 * than hidden and weak) from an attached native node is attached; otherwise, reachable from a detached one,
 * it is detached. Propagation does not pass through JavaScript nodes. Returns a state per node, DETACHED for
 * each native node shown as "Detached …" (Node has a few, e.g. `Node / AliasedUint8Array`), or null when no
 * node has a DOM state.
 */
export function detachedNativeNodes(s: HeapSnapshot): Uint8Array | null {
  if (s.nodeDetachednessOffset < 0) return null;
  const n = s.nodeCount;
  const { nodes, edgeTargets, edgeTypes, firstEdge, nodeFieldCount: nf } = s;
  const detOff = s.nodeDetachednessOffset;
  const native = s.nodeType.native;
  let state: Uint8Array | null = null; // 0 not looked at yet, ATTACHED, DETACHED or VISITED; made at the first state
  const attached: number[] = [];
  const detached: number[] = [];
  const visit = (o: number, st: number): void => {
    if (state![o] !== 0) return;
    if (s.nodeTypes[o] !== native) {
      state![o] = VISITED;
      return;
    }
    state![o] = st;
    if (st === ATTACHED) attached.push(o);
    else if (st === DETACHED) detached.push(o);
  };
  const start = (o: number): void => {
    const st = nodes[o * nf + detOff] & 3;
    if (st === 0) return;
    state ??= prefaulted(new Uint8Array(n));
    visit(o, st);
  };
  // the reader lists the few nodes with a state (a Node snapshot's handful), else every record is looked at
  const listed = s.domStateNodes;
  if (listed !== null) for (const o of listed) start(o);
  else for (let o = 0; o < n; o++) start(o);
  if (state === null) return null;
  const states: Uint8Array = state;
  const hidden = s.edgeType.hidden;
  const weak = s.edgeType.weak;
  const spread = (v: number, st: number): void => {
    for (let e = firstEdge[v], end = firstEdge[v + 1]; e < end; e++) {
      const t = edgeTypes[e];
      if (t === hidden || t === weak) continue;
      visit(edgeTargets[e], st);
    }
  };
  while (attached.length) spread(attached.pop()!, ATTACHED);
  while (detached.length) {
    const o = detached.pop()!;
    if (states[o] !== ATTACHED) spread(o, DETACHED);
  }
  return states;
}
