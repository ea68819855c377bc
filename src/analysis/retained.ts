import { prefaulted } from './prefault.js';
import type { SelfSizes } from './self-sizes.js';

/**
 * Retained sizes: each node's shown self size plus everything it dominates, summed up the dominator tree by
 * walking the DFS preorder backwards (every node comes after its dominator in that order).
 */
export function retainedSizes(
  dominators: Uint32Array,
  order: Uint32Array,
  selfSizes: SelfSizes,
  root: number,
  /** Reused for the result when it is big enough (a buffer nothing else holds any more). */
  scratch?: ArrayBufferLike,
): Float64Array {
  const n = selfSizes.length;
  const retained = scratch && scratch.byteLength >= n * 8 ? new Float64Array(scratch, 0, n) : new Float64Array(n);
  for (let o = 0; o < retained.length; o++) retained[o] = selfSizes[o];
  for (let i = order.length - 1; i >= 0; i--) {
    const o = order[i];
    if (o !== root) retained[dominators[o]] += retained[o];
  }
  return retained;
}

/**
 * The dominator tree as CSR: node o's children are children[firstChild[o] … firstChild[o+1]-1]. Whole-tree
 * walks take them in any order; childrenOf sorts a node's children by retained size (largest first, ties by
 * ordinal) the first time they are asked for, as only the few nodes a report opens ever need it.
 */
export class DominatorTree {
  private readonly sorted: Uint32Array;

  constructor(
    readonly firstChild: Uint32Array,
    readonly children: Uint32Array,
    private readonly retained: Float64Array,
  ) {
    this.sorted = prefaulted(new Uint32Array(Math.ceil((firstChild.length - 1) / 32)));
  }

  childCount(o: number): number {
    return this.firstChild[o + 1] - this.firstChild[o];
  }

  /** o's children, largest retained size first. */
  childrenOf(o: number): Uint32Array {
    const from = this.firstChild[o];
    const to = this.firstChild[o + 1];
    const bit = 1 << (o & 31);
    if ((this.sorted[o >>> 5] & bit) === 0) {
      sortByRetained(this.children, from, to, this.retained);
      this.sorted[o >>> 5] |= bit;
    }
    return this.children.subarray(from, to);
  }

  /** o's children in no particular order (no sort: for whoever looks at all of them anyway). */
  childrenInAnyOrder(o: number): Uint32Array {
    return this.children.subarray(this.firstChild[o], this.firstChild[o + 1]);
  }

  /** o's child with the largest retained size (ties: lowest ordinal, as childrenOf puts first), or -1. */
  biggestChild(o: number): number {
    const from = this.firstChild[o];
    const to = this.firstChild[o + 1];
    if (from === to) return -1;
    const { children, retained } = this;
    if (this.sorted[o >>> 5] & (1 << (o & 31))) return children[from];
    // one pass, not a sort: suspects ask this of nodes with hundreds of thousands of children
    let best = children[from];
    for (let k = from + 1; k < to; k++) if (retainsMore(retained, children[k], best)) best = children[k];
    return best;
  }
}

/** Whether node a comes before node b among siblings: a larger retained size, or the same and a lower ordinal. */
export function retainsMore(retained: Float64Array, a: number, b: number): boolean {
  return retained[a] > retained[b] || (retained[a] === retained[b] && a < b);
}

/**
 * The dominator tree, built by counting. Scratch arrays may be passed in to be reused: `firstChildScratch`
 * needs nodeCount + 2 entries, `childrenScratch` nodeCount.
 */
export function buildDominatorTree(
  dominators: Uint32Array,
  retained: Float64Array,
  root: number,
  firstChildScratch?: Uint32Array,
  childrenScratch?: Uint32Array,
): DominatorTree {
  const { firstChild, children } = dominatorTreeLayout(dominators, root, firstChildScratch, childrenScratch);
  return new DominatorTree(firstChild, children, retained);
}

/** The dominator tree's CSR arrays (see DominatorTree), in the scratch arrays when given (see buildDominatorTree). */
export function dominatorTreeLayout(
  dominators: Uint32Array,
  root: number,
  firstChildScratch?: Uint32Array,
  childrenScratch?: Uint32Array,
): { firstChild: Uint32Array; children: Uint32Array } {
  const n = dominators.length;
  const cursor = firstChildScratch ? firstChildScratch.subarray(0, n + 2) : new Uint32Array(n + 2);
  const children = childrenScratch ? childrenScratch.subarray(0, n) : new Uint32Array(n);
  cursor.fill(0);
  // counts go two slots up so the prefix sums leave d's fill cursor at d+1, ending as d+1's start
  for (let o = 0; o < n; o++) if (o !== root) cursor[dominators[o] + 2]++;
  for (let k = 1; k < n + 2; k++) cursor[k] += cursor[k - 1];
  for (let o = 0; o < n; o++) if (o !== root) children[cursor[dominators[o] + 1]++] = o;
  return { firstChild: cursor.subarray(0, n + 1), children };
}

/** Sorts children[from, to) by retained size, largest first (ties: lower ordinal first). */
function sortByRetained(children: Uint32Array, from: number, to: number, retained: Float64Array): void {
  const len = to - from;
  if (len < 2) return;
  if (len <= 16) {
    for (let i = from + 1; i < to; i++) {
      const c = children[i];
      const rc = retained[c];
      let j = i - 1;
      while (j >= from && (retained[children[j]] < rc || (retained[children[j]] === rc && children[j] > c))) {
        children[j + 1] = children[j];
        j--;
      }
      children[j + 1] = c;
    }
  } else {
    children.subarray(from, to).sort((a, b) => retained[b] - retained[a] || a - b);
  }
}
