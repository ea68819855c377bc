/**
 * The second thread of `redact`'s parse (parallel-pass.ts): takes node chunks from the front (their names' uses,
 * edge counts and dictionary store bits, into shared memory), then edge chunks from the front, while the main
 * thread takes both from the back, as the reader's parse worker does. Its own uses go to its own shared array.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SnapshotFormatError } from '../snapshot/format-error.js';
import { parseFrontChunks } from '../snapshot/number-array.js';
import { numberScanner } from '../snapshot/number-scanner.js';
import { ForwardRecords, numbersIn } from '../snapshot/scan-targets.js';
import { CTRL, waitFor } from '../snapshot/worker-protocol.js';
import { type NodesFront, USES_CTRL, type UsesInput, type UsesResult } from './parse-protocol.js';
import { BadRecord, RecordUses } from './record-uses.js';

function run(input: UsesInput): UsesResult {
  const ctrl = new Int32Array(input.ctrl);
  const offsets = new Float64Array(input.offsets);
  const { header, fd } = input;
  const { meta, nodeCount, edgeCount } = header;
  const nf = meta.nodeFields.length;
  const ef = meta.edgeFields.length;
  const progress = (bytes: number) => {
    Atomics.add(ctrl, CTRL.progressKiB, Math.round(bytes / 1024));
  };
  const scanner = numberScanner(input.bufferSize);
  const uses = new RecordUses(header, input.named, input.memory);
  const nodes = new ForwardRecords(nodeCount * nf, nf, numbersIn(scanner.buf.length), uses.nodes);
  const nodesStop = parseFrontChunks(fd, scanner, input.nodesPlan, nodes, ctrl, USES_CTRL.nodeClaims, progress);
  const { total, largeCount } = uses.edgeCounts;
  const nodesPart: NodesFront = {
    nodesFront: { ...nodes.state },
    nodesHeld: nodes.held(),
    nodesStop,
    total,
    largeCount,
  };
  parentPort?.postMessage(nodesPart);
  // the main thread joins its walk from the back to this one: then every edge count is in
  if (!waitFor(ctrl, USES_CTRL.countsReady)) return { aborted: true };
  if (!waitFor(ctrl, CTRL.edgesReady)) return { aborted: true };
  const plan = { start: offsets[0], end: offsets[1], chunkSize: offsets[2], chunkCount: offsets[3] };
  const front = new ForwardRecords(edgeCount * ef, ef, numbersIn(scanner.buf.length), uses.edges);
  const frontStop = parseFrontChunks(fd, scanner, plan, front, ctrl, CTRL.claims, progress);
  const edges = { front: { ...front.state }, frontHeld: front.held(), frontStop };
  return { ...edges, pending: uses.edges.pending() };
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
parentPort?.postMessage(result);
