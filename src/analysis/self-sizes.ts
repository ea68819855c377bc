import type { HeapSnapshot } from '../snapshot/snapshot.js';
import { hasUserRoots } from './page-owned.js';
import { prefaulted } from './prefault.js';

const UNOWNED = 0xffffffff;
const SHARED = 0xfffffffe;

/**
 * The self size DevTools shows: a `hidden` or `array` node (or a native `system / ExternalStringData`) that
 * only one ordinary node reaches — over non-weak edges, possibly through other such nodes — has its size
 * folded into that owner and shows 0. Owners that are synthetic keep nothing. Snapshots without user
 * roots (V8 internals exposed) are left as written.
 */
export function shownSelfSizes(s: HeapSnapshot): Uint32Array {
  const n = s.nodeCount;
  const { nodes, edgeTargets, edgeTypes, firstEdge, nodeFieldCount: nf } = s;
  const sizeOff = s.nodeSelfSizeOffset;
  const typeOff = s.nodeTypeOffset;
  const sizes = s.nodeSizedScratch() ?? new Uint32Array(n);
  if (!hasUserRoots(s)) {
    for (let o = 0; o < n; o++) sizes[o] = nodes[o * nf + sizeOff];
    return sizes;
  }

  const hidden = s.nodeType.hidden;
  const array = s.nodeType.array;
  const native = s.nodeType.native;
  const synthetic = s.nodeType.synthetic;
  const weak = s.edgeType.weak;
  const externalData = s.strings.indexOf('system / ExternalStringData');
  const nameOff = s.nodeNameOffset;

  // owner[w] of each foldable node w: its single owner, or UNOWNED / SHARED (never read for other nodes, so never
  // written either); which nodes are foldable is a bit each: the edge pass tests this 1 MB (for 8 M nodes)
  // before touching owner, which at 32 MB costs a TLB miss per random read. Working memory for owner: what the
  // reader freed, lent until the classes take it, else new.
  const owner = s.lendNodeSizedScratch() ?? new Uint32Array(n);
  const foldable = prefaulted(new Uint32Array((n + 31) >>> 5));
  for (let o = 0, i = 0; o < n; o++, i += nf) {
    sizes[o] = nodes[i + sizeOff];
    const t = nodes[i + typeOff];
    if (t === hidden || t === array || (t === native && externalData >= 0 && nodes[i + nameOff] === externalData)) {
      owner[o] = UNOWNED;
      foldable[o >>> 5] |= 1 << (o & 31);
    }
  }
  let stack = new Uint32Array(1024);
  let top = 0;
  /** Hands `own` to the foldable nodes v reaches over non-weak edges, pushing those whose owner changes. */
  const spread = (v: number, own: number): void => {
    for (let e = firstEdge[v], end = firstEdge[v + 1]; e < end; e++) {
      const w = edgeTargets[e];
      if (!(foldable[w >>> 5] & (1 << (w & 31))) || edgeTypes[e] === weak) continue;
      const cur = owner[w];
      if (cur === own || cur === SHARED) continue;
      owner[w] = cur === UNOWNED ? own : SHARED;
      // a node is pushed at most twice: when it gets an owner and when it becomes shared
      if (top === stack.length) {
        const bigger = new Uint32Array(stack.length * 2);
        bigger.set(stack);
        stack = bigger;
      }
      stack[top++] = w;
    }
  };
  for (let o = 0; o < n; o++) {
    if (foldable[o >>> 5] & (1 << (o & 31))) continue;
    spread(o, o);
    while (top > 0) {
      const w = stack[--top];
      spread(w, owner[w]);
    }
  }

  // fold: only the foldable nodes, found a word of bits at a time
  const root = s.rootOrdinal;
  for (let k = 0; k < foldable.length; k++) {
    for (let bits = foldable[k]; bits !== 0; bits &= bits - 1) {
      const o = (k << 5) + 31 - Math.clz32(bits & -bits);
      const own = owner[o];
      if (own === UNOWNED || own === SHARED || own === root || s.nodeTypes[own] === synthetic) continue;
      sizes[own] += nodes[o * nf + sizeOff];
      sizes[o] = 0;
    }
  }
  return sizes;
}
