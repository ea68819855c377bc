import type { HeapSnapshot } from '../snapshot/snapshot.js';
import type { ClassCounts } from './class-counts.js';
import type { RootPaths } from './paths.js';
import type { DominatorTree } from './retained.js';
import type { SelfSizes } from './self-sizes.js';
import type { SourceLocation } from './source-locations.js';
import type { StringCopies } from './strings.js';

/**
 * Everything the engine computes for one snapshot, indexed by node ordinal in typed arrays
 * (no Map/Set keyed by node: they stop at 2^24 entries). Produced by `analyzeSnapshot` (analysis/index.ts).
 * All numbers equal what Chrome DevTools' Memory panel shows for the same file.
 */
export interface HeapAnalysis {
  readonly snapshot: HeapSnapshot;
  /**
   * Retainers as a second CSR: node o is retained by edges retainerEdges[firstRetainer[o] … firstRetainer[o+1]-1].
   * Built on first access (analysis itself does not need it), then kept.
   */
  readonly retainers: Retainers;
  /** The shallow size DevTools shows (hidden/array nodes with exactly one owner folded into that owner). */
  readonly selfSizes: SelfSizes;
  /** Immediate dominator ordinal of each node over DevTools' essential edges; the root's is itself. */
  readonly dominators: Uint32Array;
  /** Retained size of each node (sum of selfSizes over its dominator subtree). */
  readonly retainedSizes: Float64Array;
  /** Dominator tree children as CSR, each node's children sorted by retained size, largest first. */
  readonly dominatorTree: DominatorTree;
  /**
   * Class of each node (index into classNames), named as DevTools names them. Like DevTools, objects of the
   * same constructor name defined at different source locations are different classes, so names can repeat.
   */
  readonly classOf: Uint32Array;
  readonly classNames: string[];
  /** Per class, the instances the class histogram counts and their shallow size; the closures' functions. */
  readonly classCounts: ClassCounts;
  /** Sum of selfSizes (equals retainedSizes[root]). */
  readonly totalSize: number;
  /** DOM state per node: DETACHED (analysis/dom-state.ts) where DevTools shows "Detached …"; null if none. */
  readonly detachedNative: Uint8Array | null;
  /** 1 for each node reachable from the global objects over non-weak edges (DevTools' "page-owned"). */
  readonly pageOwned: Uint8Array;
  /**
   * The holder paths from the roots (computeRootPaths with holderPaths) when a second thread computed them
   * during the analysis (analyzeSnapshotParallel with rootPaths), else null.
   */
  backgroundRootPaths(): Promise<RootPaths | null>;
  /**
   * The string objects counted per value (countStringCopies) when a second thread counted them during the
   * analysis (analyzeSnapshotParallel with rootPaths), else null.
   */
  backgroundStringCopies(): Promise<StringCopies | null>;
}

/** What an analysis knows before its dominators: the parts analyzeSnapshotParallel hands to whileWaiting. */
export type EarlyAnalysis = Pick<HeapAnalysis, 'snapshot' | 'selfSizes' | 'classOf' | 'classNames' | 'classCounts'>;

export interface Retainers {
  readonly firstRetainer: Uint32Array;
  /** Edge ordinals (the retaining node of edge e is `retainerNodes[k]` at the same position k). */
  readonly retainerEdges: Uint32Array;
  readonly retainerNodes: Uint32Array;
}

/** One row of the class histogram. */
export interface ClassRow {
  className: string;
  /** Objects of the class with a shown self size above 0 (DevTools leaves the others out). */
  count: number;
  shallowSize: number;
  /** Sum of retained sizes of the top-most instances on each dominator path (DevTools' rule). */
  retainedSize: number;
  /** Where the class's constructor is defined (1-based), when the snapshot says. */
  location?: SourceLocation;
}
