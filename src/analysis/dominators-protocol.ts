// The messages between analyzeSnapshotParallel (index.ts) and its worker (dominators-worker.ts).

import type { SnapshotMeta } from '../snapshot/snapshot.js';
import type { DfsNumbering, EssentialGraph } from './dominators.js';
import type { TreeWalkUnits } from './histogram.js';
import type { SelfSizes } from './self-sizes.js';
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
  stringCount: number;
  /** nodeCount + 2 entries (shared) for LT's labels, later the dominator tree's children. */
  labelScratch: Uint32Array;
  /**
   * Set to 1 by the main thread, with a notify: at [EPHEMERONS] once its EphemeronsMessage is sent, at [NUMBERED]
   * once its NumberingMessage is.
   */
  signals: Int32Array;
  /** Whether the holder paths will be asked for (a PathsRequest) once the dominators are in. */
  rootPaths: boolean;
  /** Whether a TreeWalkRequest (or null, for none) will come after the retained sizes (and the paths). */
  treeWalk: boolean;
}

/** First message back: the page-owned flags, a bit per node, for the main thread's depth-first search. */
export interface PageOwnedMessage {
  bits: Uint32Array;
}

/**
 * Second message back: the essential edges counted and the predecessor CSR laid out (essentialCounts); the
 * main thread needs `retained` for the orphans' searches. The worker fills `preds` meanwhile.
 */
export interface CountsMessage {
  graph: EssentialGraph;
}

export const EPHEMERONS = 0;
export const NUMBERED = 1;

/** Sent by the main thread right after the input (it reads every string): ephemeronTable's pairs. */
export interface EphemeronsMessage {
  ephemerons: Float64Array;
}

/** The depth-first numbering and the shown self sizes, sent by the main thread before it signals NUMBERED. */
export interface NumberingMessage {
  numbering: DfsNumbering;
  /** Shared: the worker sums them into retained sizes after LT. */
  selfSizes: SelfSizes;
}

/**
 * Third message back, as soon as LT is done: the dominators, and two node-sized arrays (nodeCount + 2 entries)
 * the worker is done with, in which the main thread lays out the dominator tree while the worker sums retained
 * sizes. All in shared memory.
 */
export interface DominatorsMessage {
  dominators: Uint32Array;
  spare: [Uint32Array, Uint32Array];
}

/** Fourth message back: the retained sizes, in shared memory. */
export interface RetainedMessage {
  retained: Float64Array;
}

/** Last message back, after the paths and the worker's share of the histogram's walk: the string copies. */
export interface StringCopiesMessage {
  copies: StringCopies;
}

/**
 * Sent by the main thread once it knows the transient root edges (it may come before the dominators): the
 * worker computes the holder paths (the fifth message back) right after the retained sizes, in the dominator
 * pass's leftover arrays.
 */
export interface PathsRequest {
  /** transientRootEdges' list (the worker has no strings to find them with). */
  transientEdges: number[];
}

/**
 * Sent by the main thread once it has laid out the dominator tree (analyzeSnapshotParallel's treeWalk): after the
 * paths, the worker claims chunks of these units for the class histogram's walk until none are left (the main
 * thread claims them too, see prepareTreeTotals) and sends back the sums of those it walked (the sixth message
 * back; the last unless the string copies follow). The dominators, self and retained sizes it has already.
 */
export interface TreeWalkRequest extends TreeWalkUnits {
  firstChild: Uint32Array;
  children: Uint32Array;
  classOf: Uint32Array;
  classCount: number;
  fnClass: number;
  idOfName: Int32Array;
  fnCount: number;
}
