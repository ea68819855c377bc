/**
 * Retained sizes: each node's shown self size plus everything it dominates, summed up the dominator tree by
 * walking the DFS preorder backwards (every node comes after its dominator in that order).
 */
export function retainedSizes(
  dominators: Uint32Array,
  order: Uint32Array,
  selfSizes: Uint32Array,
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

export interface DominatorTree {
  /** Node o's children are children[firstChild[o] … firstChild[o+1]-1], largest retained size first. */
  readonly firstChild: Uint32Array;
  readonly children: Uint32Array;
}

/**
 * The dominator tree as CSR, built by counting. Scratch arrays may be passed in to be reused: `firstChildScratch`
 * needs nodeCount + 2 entries, `childrenScratch` nodeCount.
 */
export function buildDominatorTree(
  dominators: Uint32Array,
  retained: Float64Array,
  root: number,
  firstChildScratch?: Uint32Array,
  childrenScratch?: Uint32Array,
): DominatorTree {
  const n = dominators.length;
  const cursor = firstChildScratch ? firstChildScratch.subarray(0, n + 2) : new Uint32Array(n + 2);
  const children = childrenScratch ? childrenScratch.subarray(0, n) : new Uint32Array(n);
  cursor.fill(0);
  // counts go two slots up so the prefix sums leave d's fill cursor at d+1, ending as d+1's start
  for (let o = 0; o < n; o++) if (o !== root) cursor[dominators[o] + 2]++;
  for (let k = 1; k < n + 2; k++) cursor[k] += cursor[k - 1];
  for (let o = 0; o < n; o++) if (o !== root) children[cursor[dominators[o] + 1]++] = o;
  const firstChild = cursor.subarray(0, n + 1);
  sortChildren(firstChild, children, retained);
  return { firstChild, children };
}

/** Sorts every node's children by retained size, largest first (ties: lower ordinal first). */
function sortChildren(firstChild: Uint32Array, children: Uint32Array, retained: Float64Array): void {
  const n = firstChild.length - 1;
  for (let o = 0; o < n; o++) {
    const from = firstChild[o];
    const to = firstChild[o + 1];
    const len = to - from;
    if (len < 2) continue;
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
}
