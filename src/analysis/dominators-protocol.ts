// The messages between analyzeSnapshotParallel (index.ts) and its worker (dominators-worker.ts).
import type { SnapshotMeta } from '../snapshot/snapshot.js';
import type { DfsNumbering, EssentialGraph } from './dominators.js';

export interface DominatorsInput {
  meta: SnapshotMeta;
  nodes: Uint32Array;
  nodeTypes: Uint8Array;
  edgeTypes: Uint8Array;
  edgeNames: Uint32Array;
  edgeTargets: Uint32Array;
  firstEdge: Uint32Array;
  userRoots: number[];
  ephemerons: Float64Array;
  stringCount: number;
  /** nodeCount + 2 entries the main thread works in first (self sizes), then hands over for LT's labels. */
  labelScratch: Uint32Array;
  /**
   * Set to 1 by the main thread, with a notify: [HANDED_OVER] when labelScratch is free, [NUMBERED] once its
   * NumberingMessage is sent.
   */
  signals: Int32Array;
  /** Whether the holder paths will be asked for (a PathsRequest) once the dominators are in. */
  rootPaths: boolean;
}

export const HANDED_OVER = 0;
export const NUMBERED = 1;

/** First message back: the page-owned flags, for the main thread's depth-first search over essential edges. */
export interface PageOwnedMessage {
  pageOwned: Uint8Array;
}

/**
 * Second message back: the essential edges counted and the predecessor CSR laid out (essentialCounts); the
 * main thread needs `retained` for the orphans' searches. The worker fills `preds` meanwhile.
 */
export interface CountsMessage {
  graph: EssentialGraph;
}

/** Sent by the main thread before it signals NUMBERED (the worker takes it with receiveMessageOnPort). */
export interface NumberingMessage {
  numbering: DfsNumbering;
}

/** Third message back: the dominator pass's results (see DominatorResult), all in shared memory. */
export interface DominatorsOutput {
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
