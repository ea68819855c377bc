// Worker thread of analyzeSnapshotParallel (index.ts): the page-owned flags, then each vertex's essential
// predecessors (counted and listed) while the main thread numbers the vertices depth first, then the
// immediate dominators, retained sizes and dominator tree, in shared memory; then, when asked, the holder
// paths from the roots (for leak suspects) in the dominator pass's leftover arrays while the main thread goes
// on. It has no strings: what needs them (user roots, ephemeron names, transient root edges) comes worked out.
import { parentPort, receiveMessageOnPort } from 'node:worker_threads';
import { HeapSnapshot } from '../snapshot/snapshot.js';
import { StringTable } from '../snapshot/string-table.js';
import { dominatorsFromPredecessors, essentialCounts, fillPredecessors } from './dominators.js';
import {
  type CountsMessage,
  type DominatorsInput,
  type DominatorsOutput,
  NUMBERED,
  type NumberingMessage,
  type PathsRequest,
  type SelfSizesMessage,
  SIZED,
  type StringCopiesMessage,
} from './dominators-protocol.js';
import { EphemeronPairs, EssentialRule } from './essential-edges.js';
import { pageOwnedBits } from './page-owned.js';
import { computeRootPaths } from './paths.js';
import { dominatorTreeLayout, retainedSizes } from './retained.js';
import { countStringCopies } from './strings.js';

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
  // the main thread marks them too, rather than wait for these (its depth-first search needs them first)
  const rule = new EssentialRule(
    s,
    pageOwnedBits(s, input.userRoots),
    new EphemeronPairs(input.ephemerons, input.stringCount),
  );
  const graph = essentialCounts(s, rule, shared);
  parentPort!.postMessage({ graph } satisfies CountsMessage);
  fillPredecessors(s, graph);
  Atomics.wait(input.signals, NUMBERED, 0);
  const { numbering } = receiveMessageOnPort(parentPort!)!.message as NumberingMessage;
  const doms = dominatorsFromPredecessors(s, graph, numbering, input.labelScratch);
  // the retained sizes and the tree here too: the main thread meanwhile counts classes for the histogram
  Atomics.wait(input.signals, SIZED, 0);
  const { selfSizes } = receiveMessageOnPort(parentPort!)!.message as SelfSizesMessage;
  const root = s.rootOrdinal;
  const retained = retainedSizes(doms.dominators, doms.order, selfSizes, root, doms.spareBuffer);
  const tree = dominatorTreeLayout(doms.dominators, root, doms.spare[0], doms.spare[1]);
  parentPort!.postMessage({ dominators: doms.dominators, retained, ...tree } satisfies DominatorsOutput);
  if (!input.rootPaths) return;
  // the arrays the dominator pass leaves behind become the BFS's: no new memory at the analysis's peak
  const scratch: [Uint32Array, Uint32Array, Uint32Array] = [graph.firstPred, doms.spare[2], doms.order];
  parentPort!.once('message', ({ transientEdges }: PathsRequest) => {
    parentPort!.postMessage(computeRootPaths(s, { holderPaths: true, transientEdges, scratch }));
    // then the string objects per value, which the duplicate strings come to last
    parentPort!.postMessage({ copies: countStringCopies(s, input.stringCount, shared) } satisfies StringCopiesMessage);
  });
});
