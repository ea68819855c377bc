// Worker thread of analyzeSnapshotParallel (index.ts): the page-owned flags, then each vertex's essential
// predecessors (counted and listed) while the main thread numbers the vertices depth first, then the immediate
// dominators and retained sizes, in shared memory; then, when asked, the holder paths from the roots (for leak
// suspects) in the dominator pass's leftover arrays, its share of the class histogram's walk, and the string
// copies (counted as far as it gets while it waits for the numbering), while the main thread goes on. It has no strings: what needs them (user roots, ephemeron names,
// transient root edges) comes worked out.
import { parentPort, receiveMessageOnPort } from 'node:worker_threads';
import { HeapSnapshot } from '../snapshot/snapshot.js';
import { StringTable } from '../snapshot/string-table.js';
import { dominatorsFromPredecessors, essentialCounts, fillPredecessors } from './dominators.js';
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
import { EphemeronPairs, EssentialRule } from './essential-edges.js';
import { type TreeSums, TreeWalker, walkUnits } from './histogram.js';
import { pageOwnedBits } from './page-owned.js';
import { computeRootPaths } from './paths.js';
import { retainedSizes } from './retained.js';
import { StringCopyCounter } from './strings.js';
import type { ContextScanMessage, ContextScanRequest } from './waste/context-scan.js';
import { bigContexts } from './waste/unused-context.js';

// the input comes as a message, so this thread can start (and load its modules) before the input is ready
parentPort!.once('message', (input: DominatorsInput) => {
  const strings = StringTable.fromStrings([]);
  const s = new HeapSnapshot(
    input.meta,
    input.nodes,
    input.nodeTypes,
    input.edgeTypes,
    input.edgeNames,
    input.edgeTargets,
    input.firstEdge,
    strings,
  );
  const shared = (bytes: number) => new SharedArrayBuffer(bytes);
  const pageOwned = pageOwnedBits(s, input.userRoots);
  parentPort!.postMessage({ bits: pageOwned } satisfies PageOwnedMessage);
  Atomics.wait(input.signals, EPHEMERONS, 0);
  const { ephemerons } = receiveMessageOnPort(parentPort!)!.message as EphemeronsMessage;
  const rule = new EssentialRule(s, pageOwned, new EphemeronPairs(ephemerons, input.stringCount));
  const graph = essentialCounts(s, rule, shared);
  parentPort!.postMessage({ graph } satisfies CountsMessage);
  fillPredecessors(s, graph);
  // the string objects per value (for the duplicate strings) while the main thread still numbers the vertices
  const copies = input.rootPaths ? new StringCopyCounter(s, input.stringCount, shared) : null;
  copies?.countWhile(() => Atomics.load(input.signals, NUMBERED) === 0);
  Atomics.wait(input.signals, NUMBERED, 0);
  const { numbering, selfSizes } = receiveMessageOnPort(parentPort!)!.message as NumberingMessage;
  const doms = dominatorsFromPredecessors(s, graph, numbering, input.labelScratch);
  // the main thread lays out the dominator tree in spare[0] and spare[1] while this one sums retained sizes
  const { dominators, spare, order } = doms;
  parentPort!.postMessage({ dominators, spare: [spare[0], spare[1]] } satisfies DominatorsMessage);
  const retained = retainedSizes(dominators, order, selfSizes, s.rootOrdinal, doms.spareBuffer);
  parentPort!.postMessage({ retained } satisfies RetainedMessage);
  // its share of the class histogram's walk when the main thread asks for it (null: not), then `after`
  const walkShare = (after: () => void = () => {}) => {
    if (!input.treeWalk) return after();
    parentPort!.once('message', (request: TreeWalkRequest | null) => {
      if (request !== null) {
        const walker = new TreeWalker({
          ...request,
          dominators,
          selfSizes,
          retainedSizes: retained,
          nodes: s.nodes,
          nodeFieldCount: s.nodeFieldCount,
          nodeNameOffset: s.nodeNameOffset,
          root: s.rootOrdinal,
        });
        walkUnits(walker, request);
        parentPort!.postMessage(walker.done() satisfies TreeSums);
      }
      after();
    });
  };
  if (!input.rootPaths) return walkShare();
  // the arrays the dominator pass leaves behind become the BFS's: no new memory at the analysis's peak
  const scratch: [Uint32Array, Uint32Array, Uint32Array] = [graph.firstPred, spare[2], order];
  parentPort!.once('message', ({ transientEdges }: PathsRequest) => {
    parentPort!.postMessage(computeRootPaths(s, { holderPaths: true, transientEdges, scratch }));
    // the string objects the count above did not reach last, which the duplicate strings come to after the
    // suspects: while the main thread works out the suspects alone, not before the walk both threads share
    walkShare(() => {
      copies!.countWhile(() => true);
      parentPort!.postMessage({ copies: copies!.copies } satisfies StringCopiesMessage);
      // last, the unused-context check's scan (null: none), while the main thread works out the leak suspects
      parentPort!.once('message', (scan: ContextScanRequest | null) => {
        const found = scan && bigContexts({ snapshot: s, retainedSizes: retained }, scan.closures, scan.names);
        parentPort!.postMessage(found && ({ found } satisfies ContextScanMessage));
      });
    });
  });
});
