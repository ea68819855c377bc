// Worker thread: builds the essential-edge bits and predecessor CSR (the dominator pass's input) in shared
// memory while the main thread computes self sizes and classes. See parallel.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { HeapSnapshot, type SnapshotMeta } from '../snapshot/snapshot.js';
import { essentialPredecessors } from './dominators.js';
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

const input = workerData as PredecessorsInput;
const s = new HeapSnapshot(input.meta, input.nodes, input.edges, input.firstEdge, []);
const graph = essentialPredecessors(
  s,
  input.pageOwned,
  new EphemeronPairs(input.ephemerons, input.stringCount),
  (bytes) => new SharedArrayBuffer(bytes),
);
parentPort!.postMessage(graph);
