/**
 * The second thread of the reader: parses the `nodes` array, then takes `edges` chunks from the front while the
 * main thread (after the strings) takes them from the back. Coordination is through shared memory only, so the
 * main thread never has to yield to it; the one message it sends is its result.
 */
import { closeSync, constants, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { EdgeConverter, NodeIndexer } from './finish.js';
import { SnapshotFormatError } from './format-error.js';
import { parseFrontChunks, parseNodesArray } from './number-array.js';
import { numberScanner } from './number-scanner.js';
import { ForwardRecords, numbersIn } from './scan-targets.js';
import { CTRL, type WorkerInput, type WorkerResult, waitFor } from './worker-protocol.js';

function run(input: WorkerInput): WorkerResult {
  const ctrl = new Int32Array(input.ctrl);
  const offsets = new Float64Array(input.offsets);
  const nodes = new Uint32Array(input.nodes);
  const firstEdge = new Uint32Array(input.firstEdge);
  const { meta } = input;
  const edgeFields = meta.edgeFields.length;
  const progress = (bytes: number) => {
    Atomics.add(ctrl, CTRL.progressKiB, Math.round(bytes / 1024));
  };
  // non-blocking open: a file swapped for a FIFO since the main thread opened it must not hang this thread
  const fd = openSync(input.file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const scanner = numberScanner(input.bufferSize, input.scanner);
    if (!waitFor(ctrl, CTRL.nodesReady)) return { aborted: true };
    // checked, indexed and stored as they are parsed, while the main thread reads the strings
    const types = new Uint8Array(input.nodeTypes);
    let indexer: NodeIndexer | undefined;
    const sink = () => {
      indexer = new NodeIndexer(meta, nodes, types, input.edgeNumbers / edgeFields, firstEdge);
      return indexer;
    };
    const { big } = parseNodesArray(fd, scanner, offsets[0], nodes.length, meta.nodeFields, sink, progress);
    const nodesCheck = indexer!.result();
    if (!waitFor(ctrl, CTRL.edgesReady)) return { aborted: true };
    const plan = { start: offsets[1], end: offsets[2], chunkSize: offsets[3], chunkCount: offsets[4] };
    const converter = new EdgeConverter(meta, firstEdge.length - 1, input.edgeOut);
    const front = new ForwardRecords(input.edgeNumbers, edgeFields, numbersIn(scanner.buf.length), converter);
    const frontStop = parseFrontChunks(fd, scanner, plan, front, ctrl, CTRL.claims, progress);
    return {
      front: { ...front.state },
      frontHeld: front.held(),
      frontStop,
      nodesCheck,
      bigSelfSizes: big,
      edgesCheck: converter.result(),
    };
  } finally {
    closeSync(fd);
  }
}

let result: WorkerResult;
try {
  result = run(workerData as WorkerInput);
} catch (e) {
  if (e instanceof SnapshotFormatError) result = { problem: e.toProblem() };
  else result = { crash: e instanceof Error ? e.message : String(e) };
}
parentPort?.postMessage(result);
