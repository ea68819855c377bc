// Worker thread of analyzeSnapshotParallel (index.ts): the page-owned flags, the essential edges, the DFS
// numbering and the immediate dominators, in shared memory, while the main thread computes self sizes and
// classes and fills in the predecessors; then, when asked, the holder paths from the roots (for leak suspects) in
// the dominator pass's leftover arrays while the main thread goes on. It has no strings: what needs them
// (user roots, ephemeron names, transient root edges) comes worked out in the input.
import { parentPort } from 'node:worker_threads';
import { HeapSnapshot } from '../snapshot/snapshot.js';
import { StringTable } from '../snapshot/string-table.js';
import { dfsNumbering, dominatorsFromPredecessors, essentialCounts } from './dominators.js';
import {
  type DominatorsInput,
  type DominatorsOutput,
  FILLED,
  type FillRequest,
  HANDED_OVER,
  type PathsRequest,
} from './dominators-protocol.js';
import { EphemeronPairs } from './essential-edges.js';
import { markPageOwned } from './page-owned.js';
import { computeRootPaths } from './paths.js';

// the input comes as a message, so this thread can start (and load its modules) before the input is ready
parentPort!.once('message', (input: DominatorsInput) => {
  const s = new HeapSnapshot(
    input.meta,
    input.nodes,
    input.edges,
    input.edgeTypes,
    input.firstEdge,
    StringTable.fromStrings([]),
  );
  const shared = (bytes: number) => new SharedArrayBuffer(bytes);
  const pageOwned = markPageOwned(s, shared, input.userRoots);
  const names = new EphemeronPairs(input.ephemerons, input.stringCount);
  const graph = essentialCounts(s, pageOwned, names, shared);
  parentPort!.postMessage({ graph } satisfies FillRequest);
  const numbering = dfsNumbering(s, graph, shared);
  Atomics.wait(input.signals, FILLED, 0);
  Atomics.wait(input.signals, HANDED_OVER, 0);
  const doms = dominatorsFromPredecessors(s, graph, numbering, input.labelScratch);
  const out: DominatorsOutput = { pageOwned, ...doms, spareBuffer: doms.spareBuffer as SharedArrayBuffer };
  parentPort!.postMessage(out);
  if (!input.rootPaths) return;
  // the arrays the dominator pass leaves behind become the BFS's: no new memory at the analysis's peak
  const scratch: [Uint32Array, Uint32Array, Uint32Array] = [graph.firstPred, doms.spare[2], doms.order];
  parentPort!.once('message', ({ transientEdges }: PathsRequest) => {
    parentPort!.postMessage(computeRootPaths(s, { holderPaths: true, transientEdges, scratch }));
  });
});
