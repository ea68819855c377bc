import type { HeapAnalysis } from './types.js';

export interface TopObject {
  /** Node ordinal. */
  readonly node: number;
  /** The funnels it was found under, outermost first (ordinals), e.g. [global object, its context]. */
  readonly via: readonly number[];
}

/** Funnels hold nearly everything in Node and say little: they are opened to show what they hold. */
export function isFunnel(a: HeapAnalysis, o: number, userRoots: Uint8Array): boolean {
  const s = a.snapshot;
  if (o === s.rootOrdinal || userRoots[o]) return true;
  const t = s.nodeTypeOf(o);
  if (t === s.nodeType.synthetic) return true;
  if (t !== s.nodeType.object && t !== s.nodeType.hidden) return false;
  const name = s.nodeName(o);
  return name === 'system / Context' || name === 'system / NativeContext' || name.startsWith('system / Context / ');
}

/** 1 for the targets of the root's shortcut edges: the global objects. */
export function userRootFlags(a: HeapAnalysis): Uint8Array {
  const s = a.snapshot;
  const flags = new Uint8Array(s.nodeCount);
  const root = s.rootOrdinal;
  for (let e = s.firstEdge[root]; e < s.firstEdge[root + 1]; e++) {
    if (s.edgeTypeOf(e) === s.edgeType.shortcut) flags[s.edgeTarget(e)] = 1;
  }
  return flags;
}

export interface TopObjects {
  readonly objects: TopObject[];
  /** The funnels opened on the way (ordinals, the root left out), biggest first. */
  readonly funnels: number[];
}

/**
 * The `limit` objects with the largest retained sizes at the top of the dominator tree, after opening the
 * funnels (the root, global objects, synthetic roots such as `(GC roots)`, contexts): a funnel is replaced by
 * its dominator-tree children, biggest first, so the user sees the real big objects.
 */
export function topObjects(a: HeapAnalysis, limit: number): TopObjects {
  const tree = a.dominatorTree;
  const retained = a.retainedSizes;
  const userRoots = userRootFlags(a);
  // a small max-heap of candidates (by retained size), each remembering the funnel it came from
  const heapNode: number[] = [];
  const heapFrom: number[] = []; // index into `opened`, -1 for none
  const opened: { node: number; from: number }[] = [];
  const less = (i: number, j: number): boolean =>
    retained[heapNode[i]] < retained[heapNode[j]] ||
    (retained[heapNode[i]] === retained[heapNode[j]] && heapNode[i] > heapNode[j]);
  const swap = (i: number, j: number): void => {
    [heapNode[i], heapNode[j]] = [heapNode[j], heapNode[i]];
    [heapFrom[i], heapFrom[j]] = [heapFrom[j], heapFrom[i]];
  };
  const push = (o: number, from: number): void => {
    heapNode.push(o);
    heapFrom.push(from);
    for (let i = heapNode.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!less(p, i)) break;
      swap(p, i);
      i = p;
    }
  };
  const pop = (): [number, number] => {
    const top: [number, number] = [heapNode[0], heapFrom[0]];
    const lastNode = heapNode.pop()!;
    const lastFrom = heapFrom.pop()!;
    if (heapNode.length > 0) {
      heapNode[0] = lastNode;
      heapFrom[0] = lastFrom;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heapNode.length && less(m, l)) m = l;
        if (r < heapNode.length && less(m, r)) m = r;
        if (m === i) break;
        swap(i, m);
        i = m;
      }
    }
    return top;
  };
  // only the biggest `limit` children of each opened funnel can make the list
  const open = (o: number, from: number): void => {
    const idx = opened.length;
    opened.push({ node: o, from });
    for (const c of tree.childrenOf(o).subarray(0, limit)) push(c, idx);
  };
  open(a.snapshot.rootOrdinal, -1);
  const out: TopObject[] = [];
  while (out.length < limit && heapNode.length > 0) {
    const [o, from] = pop();
    if (tree.childCount(o) > 0 && isFunnel(a, o, userRoots)) {
      open(o, from);
      continue;
    }
    const via: number[] = [];
    for (let f = from; f > 0; f = opened[f].from) via.unshift(opened[f].node);
    out.push({ node: o, via });
  }
  return { objects: out, funnels: opened.slice(1).map((f) => f.node) };
}
