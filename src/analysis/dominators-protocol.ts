// The messages between analyzeSnapshotParallel (index.ts) and its worker (dominators-worker.ts).
import type { SnapshotMeta } from '../snapshot/snapshot.js';
import type { DfsNumbering, EssentialGraph } from './dominators.js';
import type { StringCopies } from './strings.js';

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
  /** nodeCount + 2 entries (shared) for LT's labels, later the dominator tree's children. */
  labelScratch: Uint32Array;
  /**
   * Set to 1 by the main thread, with a notify: [NUMBERED] once its NumberingMessage is sent, [SIZED] once its
   * SelfSizesMessage is (the worker takes each with receiveMessageOnPort, in that order).
   */
  signals: Int32Array;
  /** Whether the holder paths will be asked for (a PathsRequest) once the dominators are in. */
  rootPaths: boolean;
}

/**
 * First message back: the essential edges counted and the predecessor CSR laid out (essentialCounts); the
 * main thread needs `retained` for the orphans' searches. The worker fills `preds` meanwhile.
 */
export interface CountsMessage {
  graph: EssentialGraph;
}

export const NUMBERED = 0;
export const SIZED = 1;

/** The depth-first numbering, sent by the main thread before it signals NUMBERED. */
export interface NumberingMessage {
  numbering: DfsNumbering;
}

/** The shown self sizes (shared), sent before SIZED: the worker sums them into retained sizes after LT. */
export interface SelfSizesMessage {
  selfSizes: Uint32Array;
}

/** Second message back: the dominators, the retained sizes and the dominator tree's CSR, all in shared memory. */
export interface DominatorsOutput {
  dominators: Uint32Array;
  retained: Float64Array;
  firstChild: Uint32Array;
  children: Uint32Array;
}

/** Fourth message back, after the paths: the string objects counted per value. */
export interface StringCopiesMessage {
  copies: StringCopies;
}

/**
 * Sent by the main thread once it knows the transient root edges (it may come before DominatorsOutput): the
 * worker computes the holder paths right after the dominator tree, in the dominator pass's leftover arrays.
 */
export interface PathsRequest {
  /** transientRootEdges' list (the worker has no strings to find them with). */
  transientEdges: number[];
}
