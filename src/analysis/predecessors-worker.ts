// Worker thread: builds the essential-edge bits, the predecessor CSR and the DFS numbering (the input of
// Lengauer–Tarjan's main loop) in shared memory while the main thread computes self sizes and classes.
// See analyzeSnapshotParallel in index.ts.
import { parentPort } from 'node:worker_threads';
import { HeapSnapshot, type SnapshotMeta } from '../snapshot/snapshot.js';
import { StringTable } from '../snapshot/string-table.js';
import { dfsNumbering, essentialPredecessors } from './dominators.js';
import { EphemeronPairs } from './essential-edges.js';

export interface PredecessorsInput {
  meta: SnapshotMeta;
  nodes: Uint32Array;
  edges: Uint32Array;
  firstEdge: Uint32Array;
  pageOwned: Uint8Array;
  ephemerons: Float64Array;
  stringCount: number;
}

// the input comes as a message, so this thread can start (and load its modules) before the input is ready
parentPort!.once('message', (input: PredecessorsInput) => {
  const s = new HeapSnapshot(input.meta, input.nodes, input.edges, input.firstEdge, StringTable.fromStrings([]));
  const shared = (bytes: number) => new SharedArrayBuffer(bytes);
  const names = new EphemeronPairs(input.ephemerons, input.stringCount);
  const graph = essentialPredecessors(s, input.pageOwned, names, shared);
  const numbering = dfsNumbering(s, graph, shared);
  parentPort!.postMessage({ graph, numbering });
});
