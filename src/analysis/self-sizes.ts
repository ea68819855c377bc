import type { BigSelfSizes } from '../snapshot/number-array.js';
import type { HeapSnapshot } from '../snapshot/snapshot.js';
import { hasUserRoots } from './page-owned.js';
import { prefaulted } from './prefault.js';

/** Shown self sizes, one per node: 32-bit unless the snapshot has a self size over 2^32-1. */
export type SelfSizes = Uint32Array | Float64Array;

function placeBigSizes(sizes: SelfSizes, big: BigSelfSizes): void {
  for (let k = 0; k < big.ordinals.length; k++) sizes[big.ordinals[k]] = big.sizes[k];
}

const UNOWNED = 0xffffffff;
const SHARED = 0xfffffffe;

/**
 * The self size DevTools shows: a `hidden` or `array` node (or a native `system / ExternalStringData`) that
 * only one ordinary node reaches — over non-weak edges, possibly through other such nodes — has its size
 * folded into that owner and shows 0. Owners that are synthetic keep nothing. Snapshots without user
 * roots (V8 internals exposed) are left as written.
 */
export function shownSelfSizes(s: HeapSnapshot): SelfSizes {
  const n = s.nodeCount;
  const { nodes, edgeTargets, edgeTypes, firstEdge, nodeFieldCount: nf } = s;
  const sizeOff = s.nodeSelfSizeOffset;
  const typeOff = s.nodeTypeOffset;
  const big = s.bigSelfSizes;
  // doubles only when some size needs them (a 5 GiB ArrayBuffer): ordinary snapshots keep the 32-bit array
  const sizes: SelfSizes = big ? new Float64Array(n) : (s.nodeSizedScratch() ?? new Uint32Array(n));
  if (!hasUserRoots(s)) {
    for (let o = 0; o < n; o++) sizes[o] = nodes[o * nf + sizeOff];
    if (big) placeBigSizes(sizes, big);
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
  if (big) placeBigSizes(sizes, big);
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
      sizes[own] += sizes[o]; // a foldable node's own size: nothing is ever folded into one
      sizes[o] = 0;
    }
  }
  return sizes;
}
