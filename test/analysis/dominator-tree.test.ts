// The dominator tree's children: sorted on demand by retained size (ties: lower ordinal first), and the
// biggest child found without sorting, which must be the child the sort would put first.
import { describe, expect, test } from 'vitest';
import { buildDominatorTree } from '../../src/analysis/retained.js';

// root 0 → 1, 2, 3 (2 and 3 tie at 30); 1 → 4, 5; 3 → 6, 7, 8 (7 and 8 tie at 9, both above 6)
const dominators = Uint32Array.from([0, 0, 0, 0, 1, 1, 3, 3, 3]);
const retained = Float64Array.from([100, 20, 30, 30, 5, 7, 4, 9, 9]);

describe('dominator tree', () => {
  test('the biggest child, before any sort and after', () => {
    const tree = buildDominatorTree(dominators, retained, 0);
    expect([0, 1, 2, 3, 4].map((o) => tree.biggestChild(o))).toEqual([2, 5, -1, 7, -1]);
    expect(Array.from(tree.childrenOf(0))).toEqual([2, 3, 1]);
    expect(Array.from(tree.childrenOf(3))).toEqual([7, 8, 6]);
    expect([0, 3].map((o) => tree.biggestChild(o))).toEqual([2, 7]);
    expect(tree.childCount(1)).toBe(2);
  });
});
