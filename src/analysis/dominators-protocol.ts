// The messages between analyzeSnapshotParallel (index.ts) and its worker (dominators-worker.ts).
import type { SnapshotMeta } from '../snapshot/snapshot.js';
import type { EssentialGraph } from './dominators.js';

export interface DominatorsInput {
  meta: SnapshotMeta;
  nodes: Uint32Array;
  edges: Uint32Array;
  edgeTypes: Uint8Array;
  firstEdge: Uint32Array;
  userRoots: number[];
  ephemerons: Float64Array;
  stringCount: number;
  /** nodeCount + 2 entries the main thread works in first (self sizes), then hands over for LT's labels. */
  labelScratch: Uint32Array;
  /**
   * Set by the main thread, with a notify: [HANDED_OVER] to 1 when labelScratch is free, [FILLED] to 1 when it
   * has filled the predecessors of the FillRequest.
   */
  signals: Int32Array;
  /** Whether the holder paths will be asked for (a PathsRequest) once the dominators are in. */
  rootPaths: boolean;
}

export const HANDED_OVER = 0;
export const FILLED = 1;

/**
 * First message back: the essential edges counted and the predecessor CSR laid out (essentialCounts), for the
 * main thread to fill (fillPredecessors) while the worker numbers the vertices depth first.
 */
export interface FillRequest {
  graph: EssentialGraph;
}

/** Second message back: the dominator pass's results (see DominatorResult), all in shared memory. */
export interface DominatorsOutput {
  pageOwned: Uint8Array;
  dominators: Uint32Array;
  order: Uint32Array;
  spare: Uint32Array[];
  spareBuffer: SharedArrayBuffer;
}

/** Sent by the main thread once it no longer reads `order` and spare[2]: compute the holder paths in them. */
export interface PathsRequest {
  /** transientRootEdges' list (the worker has no strings to find them with). */
  transientEdges: number[];
}
