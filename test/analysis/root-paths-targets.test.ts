// computeRootPaths stopped at its targets: the level past the last one expanded (found, never expanded) and the
// transient roots' seeds waiting for that level still get their distance, the same as a run without targets.
import { expect, test } from 'vitest';
import { computeRootPaths, UNREACHED } from '../../src/analysis/paths.js';
import { readSnapshot } from '../../src/snapshot/reader.js';
import { handGraphFile } from '../helpers/hand-graphs.js';
import { node } from '../helpers/tiny-snapshot.js';

// root ─shortcut→ global ─→ A ─→ B ─→ C
//   └─element→ (GC roots) ─→ (Global handles) ─→ (Stack roots) ─→ Z        (GC roots) ─→ (Handle scope) ─→ X ─→ Y
// With holder paths the two transient roots are seeds: (Handle scope) at distance 2, (Stack roots) at 3.
const file = handGraphFile(
  'heapwatch-paths-',
  'targets.heapsnapshot',
  [
    node('root', 'synthetic', '', 1, 0),
    node('gcroots', 'synthetic', '(GC roots)', 3, 0),
    node('global', 'object', 'global', 5, 10),
    node('A', 'object', 'A', 7, 10),
    node('B', 'object', 'B', 9, 10),
    node('C', 'object', 'C', 11, 10),
    node('handles', 'synthetic', '(Handle scope)', 13, 0),
    node('X', 'object', 'X', 15, 10),
    node('Y', 'object', 'Y', 17, 10),
    node('globalHandles', 'synthetic', '(Global handles)', 19, 0),
    node('stack', 'synthetic', '(Stack roots)', 21, 0),
    node('Z', 'object', 'Z', 23, 10),
  ],
  [
    ['root', 'element', 1, 'gcroots'],
    ['root', 'shortcut', 'global', 'global'],
    ['global', 'property', 'a', 'A'],
    ['A', 'property', 'b', 'B'],
    ['B', 'property', 'c', 'C'],
    ['gcroots', 'element', 1, 'globalHandles'],
    ['gcroots', 'element', 2, 'handles'],
    ['handles', 'element', 1, 'X'],
    ['X', 'property', 'y', 'Y'],
    ['globalHandles', 'element', 1, 'stack'],
    ['stack', 'element', 1, 'Z'],
  ],
);

/** id → dist for every node with a path. */
function distances(ids: number[], dist: Uint32Array): Record<number, number> {
  const out: Record<number, number> = {};
  ids.forEach((id, o) => {
    if (dist[o] !== UNREACHED) out[id] = dist[o];
  });
  return out;
}

test('a BFS stopped at its targets gives the nodes it found their distances', async () => {
  const s = await readSnapshot(file);
  const ids = Array.from({ length: s.nodeCount }, (_, o) => s.nodeId(o));
  const of = (id: number) => ids.indexOf(id);
  const full = computeRootPaths(s, { holderPaths: true });
  expect(distances(ids, full.dist)).toEqual({
    1: 0,
    3: 1,
    5: 1,
    7: 2,
    9: 3,
    11: 4,
    13: 2,
    15: 3,
    17: 4,
    19: 2,
    21: 3,
    23: 4,
  });
  // B is found while A's level is expanded; B's own level is never expanded, so C stays unreached
  const toB = computeRootPaths(s, { holderPaths: true, targets: [of(9)] });
  expect(distances(ids, toB.dist)).toEqual({ 1: 0, 3: 1, 5: 1, 7: 2, 9: 3, 19: 2 });
  // X is found from the seed (Handle scope) at distance 2; (Stack roots), a seed of distance 3, was already
  // waiting as part of X's level
  const toX = computeRootPaths(s, { holderPaths: true, targets: [of(15)] });
  expect(distances(ids, toX.dist)).toEqual({ 1: 0, 3: 1, 5: 1, 7: 2, 9: 3, 11: 4, 13: 2, 15: 3, 19: 2, 21: 3 });
  for (const rp of [toB, toX]) {
    for (let o = 0; o < s.nodeCount; o++) {
      if (rp.dist[o] !== UNREACHED) expect(rp.parentEdge[o]).toBe(full.parentEdge[o]);
    }
  }
});
