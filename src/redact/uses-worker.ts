/**
 * The second thread of `redact`'s parse (parallel-pass.ts): takes every node (their names' uses, edge counts and
 * dictionary store bits, into shared memory), then edge chunks from the front while the main thread takes them
 * from the back, as the reader's parse worker does. It may start before the strings are read: the nodes need
 * them only for the checks and the store bits that EarlyNodeUses decides once the main thread has them. Its own
 * uses of the strings go to its own shared array. With `out`, it writes the bytes it parses to the same offsets
 * of the redacted copy: the nodes' (but for the chunks the main thread copies from the back while it waits for
 * them), its edge chunks'.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SnapshotFormatError } from '../snapshot/format-error.js';
import { parseFrontChunks, parseWholeArray } from '../snapshot/number-array.js';
import { numberScanner } from '../snapshot/number-scanner.js';
import { ForwardRecords, numbersIn } from '../snapshot/scan-targets.js';
import { CTRL, signal, waitFor } from '../snapshot/worker-protocol.js';
import { EarlyNodeUses } from './early-node-uses.js';
import { EdgeCounts } from './edge-counts.js';
import { USES_CTRL, type UsesInput, type UsesResult } from './parse-protocol.js';
import { BadRecord, EdgeUses } from './record-uses.js';
import { NodeWriter, ParsedRunWriter } from './written-chunks.js';

function run(input: UsesInput): UsesResult {
  const ctrl = new Int32Array(input.ctrl);
  const offsets = new Float64Array(input.offsets);
  const { header, fd, memory } = input;
  const { meta, nodeCount, edgeCount } = header;
  const nf = meta.nodeFields.length;
  const ef = meta.edgeFields.length;
  const progress = (bytes: number) => {
    Atomics.add(ctrl, CTRL.progressKiB, Math.round(bytes / 1024));
  };
  const scanner = numberScanner(input.bufferSize);
  const counts = new EdgeCounts(nodeCount, memory.counts);
  const store = new Uint8Array(memory.dictionaryStore);
  const nodeUses = new EarlyNodeUses(header, new Uint8Array(memory.uses), counts, store);
  const nodes = new ForwardRecords(nodeCount * nf, nf, numbersIn(scanner.buf.length), nodeUses);
  // where the strings start (found while the worker started): nothing is written from there on
  if (input.outFd >= 0 && !waitFor(ctrl, USES_CTRL.limitReady)) return { aborted: true };
  const limit = input.outFd >= 0 ? offsets[4] : -1;
  const out = limit > 0 ? { fd: input.outFd, limit } : null;
  // the nodes' bytes parsed are written to the copy, but for the chunks the main thread copies from the back
  const nodeWriter = out && new NodeWriter(out, ctrl, USES_CTRL.nodeClaims, input.nodesStart, input.nodeChunk);
  const nodesClose = parseWholeArray(fd, scanner, input.nodesStart, nodes, 'nodes', progress, nodeWriter?.onRead);
  // the main thread walks the edges from the back by these counts: they must add up
  if (counts.total !== edgeCount) return { problem: "the nodes' edge counts do not add up to edge_count" };
  signal(ctrl, USES_CTRL.nodesParsed);
  if (!waitFor(ctrl, USES_CTRL.stringsReady)) return { aborted: true };
  const stringCount = Atomics.load(ctrl, USES_CTRL.stringCount);
  const named = new Uint8Array(input.named, 0, stringCount);
  if (!nodeUses.decideStores(named)) return { problem: 'node name is not a string index' };
  Atomics.store(ctrl, USES_CTRL.largeCounts, counts.largeCount);
  signal(ctrl, USES_CTRL.nodesDone);
  if (!waitFor(ctrl, CTRL.edgesReady)) return { aborted: true };
  const plan = { start: offsets[0], end: offsets[1], chunkSize: offsets[2], chunkCount: offsets[3] };
  const edges = new EdgeUses(header, new Uint8Array(memory.uses, 0, stringCount), named, counts, store);
  const front = new ForwardRecords(edgeCount * ef, ef, numbersIn(scanner.buf.length), edges);
  const runs = out && new ParsedRunWriter(out);
  const frontStop = parseFrontChunks(fd, scanner, plan, front, ctrl, CTRL.claims, progress, runs?.afterScan);
  const written = runs?.written ?? 0;
  const nodesWritten = nodeWriter?.written ?? 0;
  const pending = edges.pending();
  return { front: { ...front.state }, frontHeld: front.held(), frontStop, pending, nodesClose, nodesWritten, written };
}

let result: UsesResult;
try {
  result = run(workerData as UsesInput);
} catch (e) {
  // a defect, or counts that do not fit the shared memory (more than the edges allow): the file is not for this way
  if (e instanceof SnapshotFormatError || e instanceof BadRecord || e instanceof RangeError) {
    result = { problem: e.message };
  } else result = { crash: e instanceof Error ? e.message : String(e) };
}
if (!('front' in result)) {
  const ctrl = new Int32Array((workerData as UsesInput).ctrl);
  for (const slot of [USES_CTRL.nodesParsed, USES_CTRL.nodesDone]) {
    if (Atomics.load(ctrl, slot) === 0) Atomics.store(ctrl, slot, 2);
    Atomics.notify(ctrl, slot);
  }
}
parentPort?.postMessage(result);
