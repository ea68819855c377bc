// computeRootPaths' own bookkeeping on a hand-built graph: a node of the level being expanded is never re-parented
// by an edge from its own level, a transient root's target reached by a plain edge is taken at once, and the
// nodes with no path get UNREACHED even in scratch arrays full of old values (nothing is filled first).
import { expect, test } from 'vitest';
import { edgeSource } from '../../src/analysis/graph.js';
import { computeRootPaths, UNREACHED } from '../../src/analysis/paths.js';
import { readSnapshot } from '../../src/snapshot/reader.js';
import { handGraphFile } from '../helpers/hand-graphs.js';
import { node } from '../helpers/tiny-snapshot.js';

// root ─shortcut→ global ─property→ A ─property→ B        A ─weak→ W (no other path)
//                   └────hidden──────────────────↗  B ─property→ (Stack roots) ─→ Z
//   └─element→ (GC roots) ─element→ (Handle scope) ─→ X      (GC roots) ─element→ (Stack roots)
// A and B are both at distance 2: A's edge to B comes from B's own level, so B keeps global's hidden edge though a
// property edge names it better. (Stack roots) is a transient root, but B reaches it by a plain edge, at 3;
// (Handle scope) has only its transient edge: a seed at 2, once the persistent part is done.
// Twice: as is, each level is big for its 10 nodes (read from a bit per node); with 2000 more nodes no path reaches,
// each is small (sorted).
const graph = (padding: number) =>
  handGraphFile(
    'heapwatch-paths-',
    `levels-${padding}.heapsnapshot`,
    [
      node('root', 'synthetic', '', 1, 0),
      node('gcroots', 'synthetic', '(GC roots)', 3, 0),
      node('global', 'object', 'global', 5, 10),
      node('A', 'object', 'A', 7, 10),
      node('B', 'object', 'B', 9, 10),
      node('handles', 'synthetic', '(Handle scope)', 11, 0),
      node('X', 'object', 'X', 13, 10),
      node('stack', 'synthetic', '(Stack roots)', 15, 0),
      node('Z', 'object', 'Z', 17, 10),
      node('W', 'object', 'W', 19, 10),
      ...Array.from({ length: padding }, (_, i) => node(`pad${i}`, 'object', 'pad', 101 + 2 * i, 1)),
    ],
    [
      ['root', 'element', 1, 'gcroots'],
      ['root', 'shortcut', 'global', 'global'],
      ['global', 'property', 'a', 'A'],
      ['global', 'hidden', 1, 'B'],
      ['A', 'property', 'b', 'B'],
      ['A', 'weak', 1, 'W'],
      ['B', 'property', 'frame', 'stack'],
      ['gcroots', 'element', 1, 'handles'],
      ['gcroots', 'element', 2, 'stack'],
      ['handles', 'element', 1, 'X'],
      ['stack', 'element', 1, 'Z'],
    ],
  );
const graphs = [
  ['big levels', graph(0)],
  ['small levels', graph(2000)],
];

/** Three arrays of old values, as the worker's leftovers from the dominator pass are. */
function usedScratch(n: number): [Uint32Array, Uint32Array, Uint32Array] {
  return [new Uint32Array(n).fill(7), new Uint32Array(n).fill(7), new Uint32Array(n).fill(7)];
}

test.each(graphs)(
  'a level never re-parents its own nodes, and the unreached are UNREACHED in used scratch (%s)',
  async (_levels, file) => {
    const s = await readSnapshot(file);
    const ids = Array.from({ length: s.nodeCount }, (_, o) => s.nodeId(o));
    const of = (id: number) => ids.indexOf(id);
    for (const scratch of [undefined, usedScratch(s.nodeCount)]) {
      const rp = computeRootPaths(s, { holderPaths: true, scratch });
      expect(ids.map((_, o) => rp.dist[o]).slice(0, 10)).toEqual([0, 1, 1, 2, 2, 2, 3, 3, 4, UNREACHED]);
      expect(rp.dist.slice(10).every((dist) => dist === UNREACHED)).toBe(true);
      expect(edgeSource(s, rp.parentEdge[of(9)])).toBe(of(5)); // B: from global, not from A
      expect(edgeSource(s, rp.parentEdge[of(15)])).toBe(of(9)); // (Stack roots): from B
      expect(edgeSource(s, rp.parentEdge[of(11)])).toBe(of(3)); // (Handle scope): its seed's edge
      expect(rp.parentEdge[of(1)]).toBe(UNREACHED);
      expect(rp.parentEdge[of(19)]).toBe(UNREACHED);
    }
  },
);

test.each(graphs)(
  'a BFS stopped before the transient roots leaves their unreached targets UNREACHED (%s)',
  async (_levels, file) => {
    const s = await readSnapshot(file);
    const ids = Array.from({ length: s.nodeCount }, (_, o) => s.nodeId(o));
    const of = (id: number) => ids.indexOf(id);
    // A is found from global (level 1): level 2 is found but not expanded, the deferred edges are never taken
    const rp = computeRootPaths(s, { holderPaths: true, targets: [of(7)], scratch: usedScratch(s.nodeCount) });
    expect(ids.map((_, o) => rp.dist[o]).slice(0, 10)).toEqual([
      0,
      1,
      1,
      2,
      2,
      UNREACHED,
      UNREACHED,
      UNREACHED,
      UNREACHED,
      UNREACHED,
    ]);
    expect(rp.parentEdge.slice(10).every((edge) => edge === UNREACHED)).toBe(true);
    for (const id of [11, 13, 15, 17, 19]) expect(rp.parentEdge[of(id)]).toBe(UNREACHED);
  },
);
