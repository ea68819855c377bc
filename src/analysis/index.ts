import type { Worker } from 'node:worker_threads';
import type { HeapSnapshot } from '../snapshot/snapshot.js';
import { type ClassCounts, countClasses } from './class-counts.js';
import { classifyNodes } from './classes.js';
import { computeDominators, DepthFirstSearch, type DominatorResult } from './dominators.js';
import {
  type CountsMessage,
  type DominatorsInput,
  type DominatorsMessage,
  EPHEMERONS,
  type EphemeronsMessage,
  NUMBERED,
  type NumberingMessage,
  type PageOwnedMessage,
  type PathsRequest,
  type RetainedMessage,
  type StringCopiesMessage,
  type TreeWalkRequest,
} from './dominators-protocol.js';
import { EphemeronPairs, EssentialRule, ephemeronTable } from './essential-edges.js';
import { buildRetainers } from './graph.js';
import { setTreeWalkSplit, splitTreeWalk, type TreeSums } from './histogram.js';
import { pageOwnedBits, pageOwnedBytes, userRoots } from './page-owned.js';
import { type RootPaths, transientRootEdges } from './paths.js';
import { buildDominatorTree, DominatorTree, dominatorTreeLayout, retainedSizes } from './retained.js';
import { type SelfSizes, shownSelfSizes } from './self-sizes.js';
import type { StringCopies } from './strings.js';
import type { EarlyAnalysis, HeapAnalysis, Retainers } from './types.js';
import { type ContextScanMessage, type ContextScanRequest, setBackgroundContextScan } from './waste/context-scan.js';

/** A node's name as DevTools shows it (see nodeDisplayName). */
export { nodeName } from './node-names.js';

export interface AnalyzeOptions {
  /** Called as each phase starts (for progress display). */
  onPhase?: (phase: string) => void;
  /** analyzeSnapshotParallel: use a second thread from this many nodes on (default 500,000). */
  parallelFromNodes?: number;
  /**
   * analyzeSnapshotParallel: also compute the holder paths from the roots (what leak suspects need) on the
   * second thread, after the dominators, for HeapAnalysis.backgroundRootPaths().
   */
  rootPaths?: boolean;
  /**
   * analyzeSnapshotParallel: the second thread also walks a share of the dominator tree for the class histogram
   * (after the paths, with rootPaths), for a caller that awaits prepareTreeTotals (histogram.ts) before it asks
   * for the histogram, and meanwhile does nothing that sorts the tree's children (DominatorTree.childrenOf).
   */
  treeWalk?: boolean;
  /**
   * analyzeSnapshotParallel: work for this thread while it waits for the other thread's dominators (it is idle
   * then), given what is known by then; called at most once, and not at all on one thread.
   */
  whileWaiting?: (early: EarlyAnalysis) => void;
  /**
   * analyzeSnapshotParallel with rootPaths: the unused-context check's scan for the second thread to make at the
   * end, when it has nothing else to do (see waste/context-scan.ts), asked for once the dominators are in.
   */
  contextScan?: () => ContextScanRequest | null;
  /** Script of the analysis worker (tests give one that dies, to see this thread carry on without it). */
  workerScript?: URL;
}

/** The phases both engines report to onPhase, in this order (for progress bars). */
export const ANALYSIS_PHASES = ['page-owned nodes', 'self sizes', 'classes', 'dominators', 'retained sizes'];

/** Runs the whole engine on a parsed snapshot, on this thread: pure, no I/O. */
export function analyzeSnapshot(snapshot: HeapSnapshot, opts: AnalyzeOptions = {}): HeapAnalysis {
  const phase = opts.onPhase ?? (() => {});
  phase('page-owned nodes');
  const owned = pageOwnedBits(snapshot);
  phase('self sizes');
  const selfSizes = shownSelfSizes(snapshot);
  phase('classes');
  const classes = classifyNodes(snapshot);
  phase('dominators');
  const doms = computeDominators(snapshot, owned);
  return finish(snapshot, owned, selfSizes, doms, phase, classes);
}

// below this many nodes a second thread costs more than it saves
const PARALLEL_FROM_NODES = 500_000;
// run from TypeScript sources (tests), the worker comes from the build in dist/
const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('../../dist/analysis/dominators-worker.js', import.meta.url)
  : new URL('./dominators-worker.js', import.meta.url);

/**
 * The same as analyzeSnapshot, using a second thread where it pays: when the snapshot's arrays are in shared
 * memory (the reader's parallel parse) and big. The worker marks the page-owned nodes, counts and lists each
 * vertex's essential predecessors, then computes the immediate dominators and the retained sizes; this thread
 * meanwhile computes self sizes, numbers the vertices depth first (which the dominators need), classifies the
 * nodes, counts the classes (then runs opts.whileWaiting) and, once the dominators are in, lays out the dominator tree. Then, with
 * opts.rootPaths, the worker computes the holder paths from the roots, walks its share of the dominator tree for
 * the class histogram (opts.treeWalk) and counts the string copies while the caller goes on. Falls back to
 * analyzeSnapshot when there is no second thread to be had.
 */
export async function analyzeSnapshotParallel(
  snapshot: HeapSnapshot,
  opts: AnalyzeOptions = {},
): Promise<HeapAnalysis> {
  const shared = [
    snapshot.nodes,
    snapshot.nodeTypes,
    snapshot.edgeTypes,
    snapshot.edgeNames,
    snapshot.edgeTargets,
    snapshot.firstEdge,
  ].every((a) => a.buffer instanceof SharedArrayBuffer);
  if (!shared || snapshot.nodeCount < (opts.parallelFromNodes ?? PARALLEL_FROM_NODES)) {
    return analyzeSnapshot(snapshot, opts);
  }
  const { Worker } = await import('node:worker_threads');
  const { existsSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const script = opts.workerScript ?? WORKER_URL;
  if (!existsSync(fileURLToPath(script))) return analyzeSnapshot(snapshot, opts);

  const phase = opts.onPhase ?? (() => {});
  const worker = new Worker(script);
  worker.unref(); // a caller that never asks for the paths must not wait for them to exit
  const messages = new WorkerMessages(worker, 8);
  const signals = new Int32Array(new SharedArrayBuffer(8)); // EPHEMERONS, NUMBERED
  try {
    const input: DominatorsInput = {
      meta: snapshot.meta,
      nodes: snapshot.nodes,
      nodeTypes: snapshot.nodeTypes,
      edgeTypes: snapshot.edgeTypes,
      edgeNames: snapshot.edgeNames,
      edgeTargets: snapshot.edgeTargets,
      firstEdge: snapshot.firstEdge,
      userRoots: userRoots(snapshot),
      stringCount: snapshot.strings.length,
      labelScratch: new Uint32Array(new SharedArrayBuffer((snapshot.nodeCount + 2) * 4)),
      signals,
      rootPaths: opts.rootPaths === true,
      treeWalk: opts.treeWalk === true,
    };
    worker.postMessage(input);
    // the ephemeron names only once the worker is on its way: it needs them after the page-owned nodes
    const ephemerons = ephemeronTable(snapshot.strings);
    worker.postMessage({ ephemerons } satisfies EphemeronsMessage);
    Atomics.store(signals, EPHEMERONS, 1);
    Atomics.notify(signals, EPHEMERONS);
    // self sizes while the worker marks the page-owned nodes, then the depth-first numbering, which the worker's
    // dominator pass waits for (should the worker fail, not start or run out of memory, this thread does its part)
    phase('page-owned nodes');
    phase('self sizes');
    const selfSizes = shownSelfSizes(snapshot);
    const marked = await messages.next<PageOwnedMessage>().catch(() => null);
    const owned = marked ? marked.bits : pageOwnedBits(snapshot);
    const counts = marked ? messages.next<CountsMessage>().catch(() => null) : null;
    const names = new EphemeronPairs(ephemerons, snapshot.strings.length);
    const shared = (bytes: number) => new SharedArrayBuffer(bytes);
    const search = new DepthFirstSearch(snapshot, new EssentialRule(snapshot, owned, names), shared);
    search.fromRoot();
    const counted = counts ? await counts : null;
    if (counted) {
      const numbering = search.fromOrphans(counted.graph.retained);
      worker.postMessage({ numbering, selfSizes } satisfies NumberingMessage);
      Atomics.store(signals, NUMBERED, 1);
      Atomics.notify(signals, NUMBERED);
    }
    phase('classes');
    const classes = classifyNodes(snapshot);
    if (counted && opts.rootPaths) {
      // the worker goes on to the paths once it has the retained sizes (it has no strings to find these edges)
      worker.postMessage({ transientEdges: transientRootEdges(snapshot) } satisfies PathsRequest);
    }
    const classCounts = countClasses(snapshot, classes.classOf, classes.classNames.length, selfSizes);
    phase('dominators');
    if (counted && opts.whileWaiting) {
      const { classOf, classNames } = classes;
      opts.whileWaiting({ snapshot, selfSizes, classOf, classNames, classCounts });
    }
    const doms = counted ? await messages.next<DominatorsMessage>().catch(() => null) : null;
    // the dominator tree here while the worker sums retained sizes
    const layout = doms && dominatorTreeLayout(doms.dominators, snapshot.rootOrdinal, ...doms.spare);
    const sized = doms ? await messages.next<RetainedMessage>().catch(() => null) : null;
    if (!doms || !layout || !sized) {
      void worker.terminate();
      const fallback = computeDominators(snapshot, owned);
      return finish(snapshot, owned, selfSizes, fallback, phase, classes, classCounts);
    }
    phase('retained sizes');
    const tree = new DominatorTree(layout.firstChild, layout.children, sized.retained);
    const analysis = new Analysis(
      snapshot,
      selfSizes,
      doms.dominators,
      sized.retained,
      tree,
      classes,
      classCounts,
      owned,
    );
    let last: Promise<unknown> | null = null; // the worker's last message: it is done after that
    // its messages come in this order: the paths, its sums of the histogram's walk, the string copies
    const paths = opts.rootPaths ? messages.next<RootPaths>() : null;
    if (paths) analysis.setRootPaths(paths);
    // the histogram's walk cut in chunks both threads claim (the worker after the paths): see prepareTreeTotals
    const split = opts.treeWalk ? splitTreeWalk(layout, sized.retained, snapshot.rootOrdinal) : null;
    if (split) {
      const { classId: fnClass, idOfName, names } = classCounts.functions;
      worker.postMessage({
        ...split,
        firstChild: layout.firstChild,
        children: layout.children,
        classOf: classes.classOf,
        classCount: classes.classNames.length,
        fnClass,
        idOfName,
        fnCount: names.length,
      } satisfies TreeWalkRequest);
      const part = messages.next<TreeSums>();
      setTreeWalkSplit(analysis, { ...split, part: part.catch(() => null) });
      last = part;
    } else if (opts.treeWalk) {
      worker.postMessage(null); // no chunks: the worker stops waiting for them
    }
    if (opts.rootPaths) {
      const copies = messages.next<StringCopiesMessage>().then((m) => m.copies);
      analysis.setStringCopies(copies);
      copies.catch(() => {}); // the worker failed: backgroundStringCopies says null, if it is asked at all
      // then the unused-context check's scan, or null for none
      const scan = opts.contextScan?.() ?? null;
      worker.postMessage(scan);
      const found = messages.next<ContextScanMessage | null>();
      if (scan)
        setBackgroundContextScan(
          analysis,
          scan.closures,
          found.then((m) => m?.found ?? null),
        );
      last = found;
    }
    if (last) {
      last.then(
        () => void worker.terminate(),
        () => {},
      );
    } else {
      void worker.terminate();
    }
    return analysis;
  } catch (e) {
    void worker.terminate();
    throw e;
  }
}

/** A worker's messages, one at a time in the order they come; each rejects if the worker fails first. */
class WorkerMessages {
  private readonly inbox: Promise<unknown>[] = [];
  private taken = 0;

  constructor(worker: Worker, count: number) {
    const failed = new Promise<never>((_, reject) => {
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`analysis worker exited with code ${code}`)));
    });
    const deliver: ((m: unknown) => void)[] = [];
    for (let k = 0; k < count; k++) {
      const message = Promise.race([new Promise((resolve) => deliver.push(resolve)), failed]);
      message.catch(() => {}); // taken below, or never when this thread fails first: not an unhandled rejection
      this.inbox.push(message);
    }
    let received = 0;
    worker.on('message', (m) => deliver[received++]?.(m));
  }

  next<T>(): Promise<T> {
    return this.inbox[this.taken++] as Promise<T>;
  }
}

/** The retained sizes and dominator tree on this thread, then the analysis. */
function finish(
  snapshot: HeapSnapshot,
  owned: Uint32Array,
  selfSizes: SelfSizes,
  { dominators, order, spare, spareBuffer }: DominatorResult,
  phase: (name: string) => void,
  classes: NodeClasses,
  classCounts = countClasses(snapshot, classes.classOf, classes.classNames.length, selfSizes),
): Analysis {
  const root = snapshot.rootOrdinal;
  phase('retained sizes');
  const retained = retainedSizes(dominators, order, selfSizes, root, spareBuffer);
  const dominatorTree = buildDominatorTree(dominators, retained, root, spare[0], spare[1]);
  return new Analysis(snapshot, selfSizes, dominators, retained, dominatorTree, classes, classCounts, owned);
}

type NodeClasses = ReturnType<typeof classifyNodes>;

class Analysis implements HeapAnalysis {
  private retainersCache: Retainers | null = null;
  private rootPathsPending: Promise<RootPaths> | null = null;
  private stringCopiesPending: Promise<StringCopies> | null = null;
  private pageOwnedCache: Uint8Array | null = null;
  readonly totalSize: number;
  readonly classOf: Uint32Array;
  readonly classNames: string[];
  readonly detachedNative: Uint8Array | null;
  constructor(
    readonly snapshot: HeapSnapshot,
    readonly selfSizes: SelfSizes,
    readonly dominators: Uint32Array,
    readonly retainedSizes: Float64Array,
    readonly dominatorTree: DominatorTree,
    classes: NodeClasses,
    readonly classCounts: ClassCounts,
    /** The page-owned flags as the engine keeps them, a bit per node (pageOwnedBits). */
    private readonly pageOwnedBits: Uint32Array,
  ) {
    this.totalSize = retainedSizes[snapshot.rootOrdinal];
    this.classOf = classes.classOf;
    this.classNames = classes.classNames;
    this.detachedNative = classes.detachedNative;
  }
  /** A byte per node, made on first use (no report reads it: the engine works on the bits). */
  get pageOwned(): Uint8Array {
    this.pageOwnedCache ??= pageOwnedBytes(this.pageOwnedBits, this.snapshot.nodeCount);
    return this.pageOwnedCache;
  }
  get retainers(): Retainers {
    this.retainersCache ??= buildRetainers(this.snapshot);
    return this.retainersCache;
  }
  backgroundRootPaths(): Promise<RootPaths | null> {
    return this.rootPathsPending?.catch(() => null) ?? Promise.resolve(null);
  }
  setRootPaths(pending: Promise<RootPaths>): void {
    this.rootPathsPending = pending;
  }
  backgroundStringCopies(): Promise<StringCopies | null> {
    return this.stringCopiesPending?.catch(() => null) ?? Promise.resolve(null);
  }
  setStringCopies(pending: Promise<StringCopies>): void {
    this.stringCopiesPending = pending;
  }
}
