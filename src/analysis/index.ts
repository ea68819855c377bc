import type { HeapSnapshot } from '../snapshot/snapshot.js';
import { classifyNodes } from './classes.js';
import {
  computeDominators,
  type DfsNumbering,
  type DominatorResult,
  dominatorsFromPredecessors,
  type EssentialGraph,
} from './dominators.js';
import { ephemeronTable } from './essential-edges.js';
import { buildRetainers } from './graph.js';
import { nodeDisplayName } from './node-names.js';
import { markPageOwned } from './page-owned.js';
import type { PredecessorsInput } from './predecessors-worker.js';
import { buildDominatorTree, retainedSizes } from './retained.js';
import { shownSelfSizes } from './self-sizes.js';
import type { HeapAnalysis, Retainers } from './types.js';

export interface AnalyzeOptions {
  /** Called as each phase starts (for progress display). */
  onPhase?: (phase: string) => void;
  /** analyzeSnapshotParallel: use a second thread from this many nodes on (default 500,000). */
  parallelFromNodes?: number;
}

/** Runs the whole engine on a parsed snapshot, on this thread: pure, no I/O. */
export function analyzeSnapshot(snapshot: HeapSnapshot, opts: AnalyzeOptions = {}): HeapAnalysis {
  const phase = opts.onPhase ?? (() => {});
  phase('page-owned nodes');
  const pageOwned = markPageOwned(snapshot);
  phase('self sizes');
  const selfSizes = shownSelfSizes(snapshot);
  phase('dominators');
  const doms = computeDominators(snapshot, pageOwned);
  return finish(snapshot, pageOwned, selfSizes, doms, phase);
}

// below this many nodes a second thread costs more than it saves
const PARALLEL_FROM_NODES = 500_000;
// run from TypeScript sources (tests), the worker comes from the build in dist/
const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('../../dist/analysis/predecessors-worker.js', import.meta.url)
  : new URL('./predecessors-worker.js', import.meta.url);

/**
 * The same as analyzeSnapshot, using a second thread where it pays: when the snapshot's arrays are in shared
 * memory (the reader's parallel parse) and big, a worker builds the dominator pass's input (essential edges,
 * predecessors, DFS numbering) while this thread computes self sizes and classes. Falls back to analyzeSnapshot otherwise.
 */
export async function analyzeSnapshotParallel(
  snapshot: HeapSnapshot,
  opts: AnalyzeOptions = {},
): Promise<HeapAnalysis> {
  const shared = [snapshot.nodes, snapshot.edges, snapshot.edgeTypes, snapshot.firstEdge].every(
    (a) => a.buffer instanceof SharedArrayBuffer,
  );
  if (!shared || snapshot.nodeCount < (opts.parallelFromNodes ?? PARALLEL_FROM_NODES)) {
    return analyzeSnapshot(snapshot, opts);
  }
  const { Worker } = await import('node:worker_threads');
  const { existsSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  if (!existsSync(fileURLToPath(WORKER_URL))) return analyzeSnapshot(snapshot, opts);

  const phase = opts.onPhase ?? (() => {});
  // start the worker first: it loads while this thread marks the page-owned nodes it needs
  const worker = new Worker(WORKER_URL);
  const prepared = new Promise<{ graph: EssentialGraph; numbering: DfsNumbering }>((resolve, reject) => {
    worker.once('message', (m) => {
      resolve(m);
      void worker.terminate(); // its heap goes now; the shared arrays it made live on here
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`analysis worker exited with code ${code}`)));
  });
  prepared.catch(() => {}); // awaited below; never an unhandled rejection if this thread fails first
  try {
    phase('page-owned nodes');
    const pageOwned = markPageOwned(snapshot, (bytes) => new SharedArrayBuffer(bytes));
    const input: PredecessorsInput = {
      meta: snapshot.meta,
      nodes: snapshot.nodes,
      edges: snapshot.edges,
      edgeTypes: snapshot.edgeTypes,
      firstEdge: snapshot.firstEdge,
      pageOwned,
      ephemerons: ephemeronTable(snapshot.strings),
      stringCount: snapshot.strings.length,
    };
    worker.postMessage(input);
    phase('self sizes');
    // one node-sized working array serves the self sizes, then the dominator pass (no garbage between them)
    const scratch = new Uint32Array(snapshot.nodeCount + 2);
    const selfSizes = shownSelfSizes(snapshot, scratch);
    phase('classes');
    const classes = classifyNodes(snapshot);
    phase('dominators');
    // should the worker fail (it cannot start, runs out of memory), this thread does its part
    const ready = await prepared.catch(() => null);
    const doms = ready
      ? dominatorsFromPredecessors(snapshot, ready.graph, ready.numbering, scratch)
      : computeDominators(snapshot, pageOwned);
    return finish(snapshot, pageOwned, selfSizes, doms, phase, classes);
  } finally {
    void worker.terminate();
  }
}

function finish(
  snapshot: HeapSnapshot,
  pageOwned: Uint8Array,
  selfSizes: Uint32Array,
  { dominators, order, spare, spareBuffer }: DominatorResult,
  phase: (name: string) => void,
  classes?: ReturnType<typeof classifyNodes>,
): HeapAnalysis {
  const root = snapshot.rootOrdinal;
  phase('retained sizes');
  const retained = retainedSizes(dominators, order, selfSizes, root, spareBuffer);
  const dominatorTree = buildDominatorTree(dominators, retained, root, spare[0], spare[1]);
  if (!classes) phase('classes');
  const { classOf, classNames, detachedNative } = classes ?? classifyNodes(snapshot);
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
