import type { HeapSnapshot } from '../snapshot/snapshot.js';
import { prefaulted } from './prefault.js';

/** Name of the synthetic node under which browsers list document DOM trees (a user root like a global). */
export const DOCUMENT_DOM_TREES = '(Document DOM trees)';

/** pageOwnedBits' flags as a byte per node. */
export function pageOwnedBytes(bits: Uint32Array, nodeCount: number): Uint8Array {
  const owned = new Uint8Array(nodeCount);
  for (let o = 0; o < nodeCount; o++) owned[o] = (bits[o >>> 5] >>> (o & 31)) & 1;
  return owned;
}

/**
 * DevTools' "page-owned" flag, a bit per node (bit o & 31 of word o >>> 5): set for nodes reachable over
 * non-weak edges from the user roots, which are the targets of the root's `shortcut` edges (the global
 * objects) and `(Document DOM trees)`. Everything else is owned by the engine (or the debugger), and edges
 * from there into page-owned nodes do not count for dominators. A bit each: 1 MB for 8 M nodes stays in cache
 * where a byte each would not, for the search here and for the essential-edge rule.
 */
export function pageOwnedBits(
  s: HeapSnapshot,
  /** userRoots(s), when already known (a worker thread has no strings to find them with). */
  roots: ArrayLike<number> = userRoots(s),
): Uint32Array {
  const n = s.nodeCount;
  const owned = prefaulted(new Uint32Array((n + 31) >>> 5));
  let stack: Uint32Array = new Uint32Array(Math.min(n, 1 << 16)); // grows on demand: rarely near n, and n × 4 B is big
  const { edgeTargets, edgeTypes, firstEdge } = s;
  const weak = s.edgeType.weak;
  let top = 0;
  for (let k = 0; k < roots.length; k++) {
    const w = roots[k];
    if (owned[w >>> 5] & (1 << (w & 31))) continue;
    owned[w >>> 5] |= 1 << (w & 31);
    if (top === stack.length) stack = grown(stack, n);
    stack[top++] = w;
  }
  while (top > 0) {
    const v = stack[--top];
    for (let e = firstEdge[v], end = firstEdge[v + 1]; e < end; e++) {
      const w = edgeTargets[e];
      if (owned[w >>> 5] & (1 << (w & 31)) || edgeTypes[e] === weak) continue;
      owned[w >>> 5] |= 1 << (w & 31);
      if (top === stack.length) stack = grown(stack, n);
      stack[top++] = w;
    }
  }
  return owned;
}

/** The user roots: targets of the root's shortcut edges (the global objects) and `(Document DOM trees)`. */
export function userRoots(s: HeapSnapshot): number[] {
  const root = s.rootOrdinal;
  const out: number[] = [];
  for (let e = s.firstEdge[root]; e < s.firstEdge[root + 1]; e++) {
    const t = s.edgeTypeOf(e);
    const w = s.edgeTarget(e);
    if (t === s.edgeType.element) {
      if (s.nodeTypeOf(w) !== s.nodeType.synthetic || s.nodeName(w) !== DOCUMENT_DOM_TREES) continue;
    } else if (t !== s.edgeType.shortcut) continue;
    out.push(w);
  }
  return out;
}

/** The stack twice as big (at most `max` entries: each node is pushed once), contents kept. */
function grown(stack: Uint32Array, max: number): Uint32Array {
  const bigger = new Uint32Array(Math.min(max, stack.length * 2));
  bigger.set(stack);
  return bigger;
}

/** True when the root has an edge to a user root; otherwise the snapshot exposes V8 internals (no folding). */
export function hasUserRoots(s: HeapSnapshot): boolean {
  const root = s.rootOrdinal;
  const synthetic = s.nodeType.synthetic;
  for (let e = s.firstEdge[root]; e < s.firstEdge[root + 1]; e++) {
    const w = s.edgeTarget(e);
    if (s.nodeTypeOf(w) !== synthetic || s.nodeName(w) === DOCUMENT_DOM_TREES) return true;
  }
  return false;
}
