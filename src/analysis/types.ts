import type { HeapSnapshot } from '../snapshot/snapshot.js';

/**
 * Everything the engine computes for one snapshot, indexed by node ordinal in typed arrays
 * (no Map/Set keyed by node: they stop at 2^24 entries). Produced by `analyzeSnapshot` (analysis/index.ts).
 */
export interface HeapAnalysis {
  readonly snapshot: HeapSnapshot;
  /** Retainers as a second CSR: node o is retained by edges retainerEdges[firstRetainer[o] … firstRetainer[o+1]-1]. */
  readonly retainers: Retainers;
  /** The shallow size DevTools shows (hidden/array nodes with exactly one owner folded into that owner). */
  readonly selfSizes: Float64Array;
  /** Immediate dominator ordinal of each node over DevTools' essential edges; the root's is itself. */
  readonly dominators: Uint32Array;
  /** Retained size of each node (sum of selfSizes over its dominator subtree). */
  readonly retainedSizes: Float64Array;
  /** Dominator tree children as CSR, each node's children sorted by retained size, largest first. */
  readonly dominatorTree: { readonly firstChild: Uint32Array; readonly children: Uint32Array };
  /** Class of each node (index into classNames), named as DevTools names them. */
  readonly classOf: Uint32Array;
  readonly classNames: string[];
  /** Sum of selfSizes (equals retainedSizes[root]). */
  readonly totalSize: number;
}

export interface Retainers {
  readonly firstRetainer: Uint32Array;
  /** Edge ordinals (the retaining node of edge e is `retainerNodes[k]` at the same position k). */
  readonly retainerEdges: Uint32Array;
  readonly retainerNodes: Uint32Array;
}

/** One row of the class histogram. */
export interface ClassRow {
  className: string;
  count: number;
  shallowSize: number;
  /** Sum of retained sizes of the top-most instances on each dominator path (DevTools' rule). */
  retainedSize: number;
}
