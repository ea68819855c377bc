import type { HeapSnapshot } from '../snapshot/snapshot.js';
import { classifyNodes } from './classes.js';
import { computeDominators } from './dominators.js';
import { buildRetainers } from './graph.js';
import { nodeDisplayName } from './node-names.js';
import { markPageOwned } from './page-owned.js';
import { buildDominatorTree, retainedSizes } from './retained.js';
import { shownSelfSizes } from './self-sizes.js';
import type { HeapAnalysis, Retainers } from './types.js';

export interface AnalyzeOptions {
  /** Called as each phase starts (for progress display). */
  onPhase?: (phase: string) => void;
}

/** Runs the whole engine on a parsed snapshot: pure, no I/O. */
export function analyzeSnapshot(snapshot: HeapSnapshot, opts: AnalyzeOptions = {}): HeapAnalysis {
  const phase = opts.onPhase ?? (() => {});
  const root = snapshot.rootOrdinal;
  phase('page-owned nodes');
  const pageOwned = markPageOwned(snapshot);
  phase('self sizes');
  const selfSizes = shownSelfSizes(snapshot);
  phase('dominators');
  const { dominators, order, spare } = computeDominators(snapshot, pageOwned);
  phase('retained sizes');
  const retained = retainedSizes(dominators, order, selfSizes, root);
  const dominatorTree = buildDominatorTree(dominators, retained, root, spare[0], spare[1]);
  phase('classes');
  const { classOf, classNames, detachedNative } = classifyNodes(snapshot);
  return new Analysis(
    snapshot,
    selfSizes,
    dominators,
    retained,
    dominatorTree,
    classOf,
    classNames,
    pageOwned,
    detachedNative,
  );
}

/** A node's name as DevTools shows it (see nodeDisplayName). */
export function nodeName(a: HeapAnalysis, o: number): string {
  return nodeDisplayName(a.snapshot, o, a.detachedNative);
}

class Analysis implements HeapAnalysis {
  private retainersCache: Retainers | null = null;
  readonly totalSize: number;
  constructor(
    readonly snapshot: HeapSnapshot,
    readonly selfSizes: Uint32Array,
    readonly dominators: Uint32Array,
    readonly retainedSizes: Float64Array,
    readonly dominatorTree: { readonly firstChild: Uint32Array; readonly children: Uint32Array },
    readonly classOf: Uint32Array,
    readonly classNames: string[],
    readonly pageOwned: Uint8Array,
    readonly detachedNative: Uint8Array | null,
  ) {
    this.totalSize = retainedSizes[snapshot.rootOrdinal];
  }
  get retainers(): Retainers {
    this.retainersCache ??= buildRetainers(this.snapshot);
    return this.retainersCache;
  }
}
