import { existsSync, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SnapshotFormatError } from '../snapshot/format-error.js';
import { claim, initClaims, parseBackChunks, planChunks } from '../snapshot/number-array.js';
import { joinScans, type ScanState } from '../snapshot/number-scan.js';
import { numberScanner } from '../snapshot/number-scanner.js';
import { BackwardRecords, numbersIn } from '../snapshot/scan-targets.js';
import { CTRL, signal } from '../snapshot/worker-protocol.js';
import { BackEdgeUses } from './back-edge-uses.js';
import { EdgeCounts, sharedCounts } from './edge-counts.js';
import { edgesCloseBefore } from './edges-end.js';
import { markTraceFunctionNames } from './file-uses.js';
import type { FrontCopy } from './front-copy.js';
import { readFrontHeader } from './front-header.js';
import { type KnownStrings, readLayout, type SnapshotLayout } from './layout.js';
import { NumberStream, RecordBatches } from './number-stream.js';
import { NotOnePass, notOnePass, type OnePass } from './one-pass.js';
import { USES_CTRL, type UsesInput, type UsesResult } from './parse-protocol.js';
import type { SharedUses } from './record-uses.js';
import {
  copyNodesFromBack,
  type FrontOutput,
  initNodeClaims,
  nodeChunkSize,
  ParsedRunWriter,
  setNodesEnd,
} from './written-chunks.js';

// run from TypeScript sources (tests), the worker comes from the build in dist/
const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('../../dist/redact/uses-worker.js', import.meta.url)
  : new URL('./uses-worker.js', import.meta.url);
const READ_BUFFER = 1 << 20;
/** At most this share of the edge chunks is copied by the main thread while the worker ends the nodes. */
const EARLY_SHARE = 0.4;

export interface ParallelOptions {
  /** Script of the parse worker (tests give a broken one to see the parse carry on without it). */
  workerScript?: URL;
  /** Size of the edge chunks the two threads take turns on. Default 2 MiB. */
  chunkSize?: number;
  /** Where the worker is while it runs, for a signal handler to tell it to stop. */
  running?: RunningWorker;
  /** With `out`: copies the nodes' chunks from the back while this thread waits for the worker to parse them. */
  frontCopy?: FrontCopy;
  /**
   * For tests: edge chunks this thread takes from the back (copied to the output, when there is one) before it
   * looks whether the nodes are done; they are parsed once they are.
   */
  earlyEdgeChunks?: number;
}

/** The parse worker while it runs (it may write to the redacted copy), else null. */
export interface RunningWorker {
  worker: NodesWorker | null;
}

/** The parse worker (uses-worker.ts), started on the nodes. */
export interface NodesWorker {
  worker: Worker;
  result: Promise<UsesResult>;
  ctrl: Int32Array;
  offsets: Float64Array;
  memory: SharedUses;
  /** Where namedStrings() of the strings go for the worker (before stringsReady). */
  named: Uint8Array;
  /** Where the worker writes what it parses (null: nowhere, or not told yet: publishLimit). */
  out: FrontOutput | null;
  header: SnapshotLayout['header'];
  nodesStart: number;
  nodesClose: number;
}

/**
 * The nodes and edges parsed on two threads, the strings being known already (the one-pass way, copied-pass.ts):
 * a worker (uses-worker.ts) takes the nodes, then edge chunks from the front, while this thread walks the rest
 * of the file and then takes edge chunks from the back (BackEdgeUses), as the reader splits its parse. The two
 * walks over the edges meet where the chunks run out; each thread's uses of the strings are OR-ed at the end.
 * Null when the file is not for the one-pass way (any defect: the two-pass way then reports it); 'no worker'
 * when the worker could not do its part (the caller parses on this thread alone).
 *
 * With `out`, the threads write the bytes they parse to the same offsets of the redacted copy: the worker the
 * nodes' (this thread copies their chunks from the back with `opts.frontCopy` while it waits for them), both the
 * edges'. `written` then lists the ranges so written, those whose bytes written add up to them (the caller copies
 * the rest of the front itself).
 */
export async function readFrontParallel(
  fd: number,
  size: number,
  known: KnownStrings,
  onBytes: (bytes: number) => void,
  opts: ParallelOptions = {},
  /** The worker started on the nodes already (startNodesEarly): this call stops it whatever happens. */
  early?: NodesWorker,
  out: FrontOutput | null = null,
): Promise<(OnePass & { written?: WrittenRange[] }) | null | 'no worker'> {
  const script = opts.workerScript ?? WORKER_URL;
  let running: NodesWorker | undefined = early;
  if (!running && !existsSync(fileURLToPath(script))) return 'no worker';
  const { named } = known.strings;
  let workerKiB = 0;
  const progress = (bytes: number) => {
    const kib = running ? Atomics.load(running.ctrl, CTRL.progressKiB) : 0;
    onBytes(bytes + (kib - workerKiB) * 1024);
    workerKiB = kib;
  };
  let edgesStart = -1;
  let plan: ReturnType<typeof planChunks> | undefined;
  const numberArray = (key: string, start: number, header: SnapshotLayout['header'] | undefined) => {
    if (key !== 'nodes' && key !== 'edges') return undefined;
    if (!header || !fitsFile(header, size)) throw new NotOnePass();
    const { meta, nodeCount, edgeCount } = header;
    const numbers = key === 'nodes' ? nodeCount * meta.nodeFields.length : edgeCount * meta.edgeFields.length;
    // n numbers take at least 2n-1 bytes, so the `]` cannot come sooner (the parse checks the count itself)
    const least = start + Math.max(0, 2 * numbers - 1);
    const found = key === 'edges' ? edgesCloseBefore(fd, least, known.open) : -1;
    const close = found >= 0 ? found : closeOf(fd, size, least);
    if (key === 'nodes') {
      if (!running) {
        running = startNodesWorker(fd, size, header, start, named.length, script, out ? out.fd : -1);
        if (out && !publishLimit(running, known.open, out)) throw new NotOnePass();
        if (opts.running) opts.running.worker = running;
        publishStrings(running, named);
      } else if (start !== running.nodesStart || !sameHeader(header, running.header) || !sameOutput(out, running.out)) {
        throw new NotOnePass();
      }
      running.nodesClose = close;
      if (out) setNodesEnd(running.ctrl, USES_CTRL.nodeClaims, start, close, nodeChunkSize(size));
    } else {
      if (!running) throw new NotOnePass();
      edgesStart = start;
      plan = planChunks(start, close, opts.chunkSize ?? 2 << 20);
      running.offsets.set([plan.start, plan.end, plan.chunkSize, plan.chunkCount]);
      initClaims(running.ctrl, CTRL.claims, plan);
      signal(running.ctrl, CTRL.edgesReady);
    }
    return close;
  };
  try {
    if (running) publishStrings(running, named);
    const layout = readLayout(fd, size, { strings: known, numberArray });
    const par = running;
    if (!par || !plan || edgesStart < 0) throw new NotOnePass();
    const { header } = layout;
    const { meta, nodeCount, edgeCount } = header;
    const ef = meta.edgeFields.length;
    const uses = new Uint8Array(named.length);
    if (layout.traceInfosStart >= 0) markTraceFunctionNames(fd, layout, uses);
    let nodesCopied = 0;
    if (out && opts.frontCopy) {
      const waiting = () => Atomics.load(par.ctrl, USES_CTRL.nodesParsed) === 0;
      const { nodeClaims } = USES_CTRL;
      const chunk = nodeChunkSize(size);
      nodesCopied = copyNodesFromBack(
        opts.frontCopy.copyRange,
        par.ctrl,
        nodeClaims,
        par.nodesStart,
        par.nodesClose,
        chunk,
        waiting,
      );
    }
    // while the worker ends the nodes, edge chunks from the back: their records wait for the nodes' edge counts
    // while the worker ends the nodes, edge chunks from the back are copied to the output: their records need the
    // nodes' edge counts, so they are parsed once those are known (read again: holding them cost more in new
    // memory's page faults than a read from the page cache)
    const copyRange = out ? opts.frontCopy?.copyRange : undefined;
    const taken: number[] = [];
    let copied = 0;
    const forced = opts.earlyEdgeChunks ?? 0;
    // fewer than half the chunks, which this thread then parses: the worker takes its share of the rest
    const most = Math.floor(plan.chunkCount * EARLY_SHARE);
    while (
      taken.length < forced ||
      (copyRange && taken.length < most && Atomics.load(par.ctrl, USES_CTRL.nodesDone) === 0)
    ) {
      const k = claim(par.ctrl, CTRL.claims, true);
      if (k < 0) break;
      taken.push(k);
      if (!copyRange) continue;
      const from = plan.start + k * plan.chunkSize;
      const to = Math.min(plan.end, from + plan.chunkSize);
      copyRange(from, to);
      copied += to - from;
    }
    const early = await nodesDone(par);
    if (early) return early;
    const counts = () =>
      new EdgeCounts(nodeCount, {
        ...par.memory.counts,
        largeCount: Atomics.load(par.ctrl, USES_CTRL.largeCounts),
        filled: true,
      });
    const globals = rootGlobals(fd, header, edgesStart, counts().next(0));
    const store = new Uint8Array(par.memory.dictionaryStore);
    const sink = new BackEdgeUses(header, uses, named, counts(), store, globals);
    const scanner = numberScanner(READ_BUFFER);
    const back = new BackwardRecords(edgeCount * ef, ef, numbersIn(scanner.buf.length), sink);
    const runs = out && new ParsedRunWriter(out);
    let backStop = plan.end;
    // the chunks taken early first (the back walk's next ones: they were taken from the back), unwritten if copied
    const one = new Int32Array(1);
    for (const k of taken) {
      // a claim word of that chunk alone, for the reader's walk
      one[0] = k | ((k + 1) << 16);
      backStop = parseBackChunks(fd, scanner, plan, back, one, 0, progress, copyRange ? undefined : runs?.afterScan);
    }
    const stop = parseBackChunks(fd, scanner, plan, back, par.ctrl, CTRL.claims, progress, runs?.afterScan);
    backStop = Math.min(backStop, stop);
    const result = await par.result;
    await par.worker.terminate();
    running = undefined;
    if ('problem' in result) return null;
    if (!('front' in result) || result.frontStop !== backStop) return 'no worker';
    if (result.nodesClose !== par.nodesClose) return null;
    // where the two scans met: the record or two around it, joined, go to the back walk, which then meets the front's
    const held = back.held();
    const from = result.frontHeld.from;
    const meet = result.front.index + 1 === back.state.index;
    const middle = new Uint32Array(meet ? held.from + held.values.length - from : 0);
    if (meet) {
      middle.set(result.frontHeld.values, 0);
      middle.set(held.values, held.from - from);
    }
    const relative = (st: ScanState): ScanState => ({ ...st, index: st.index - from });
    if (joinScans(relative(result.front), relative(back.state), middle, edgeCount * ef)) return null;
    sink.records(middle, 0, from / ef, middle.length / ef);
    sink.meet(result.pending);
    const theirs = new Uint8Array(par.memory.uses, 0, uses.length);
    orInto(uses, theirs);
    if (!out) return { layout, uses };
    // every byte written once (each thread wrote the chunks it claimed): else copied again by the caller
    const written: WrittenRange[] = [];
    if (result.nodesWritten + nodesCopied === par.nodesClose + 1 - par.nodesStart) {
      written.push([par.nodesStart, par.nodesClose + 1]);
    }
    if (result.written + (runs?.written ?? 0) + copied === plan.end - plan.start) written.push([plan.start, plan.end]);
    return { layout, uses, written };
  } catch (e) {
    if (notOnePass(e)) return null;
    throw e;
  } finally {
    if (running) await stop(running);
  }
}

/**
 * Starts the worker on the nodes at once, before the strings are found and read, when the file begins as V8
 * writes it (front-header.ts): it starts while this thread looks for the strings and parses the nodes while it
 * reads them. Room is made for the uses of as many strings as the bytes not taken by the nodes' and edges'
 * numbers could hold (a string per 3 bytes: address space, touched only as far as the table goes). With `outFd`
 * (the redacted copy), the worker waits for publishLimit before it parses. Null when the file does not begin so,
 * or the worker's script is not there: readFrontParallel then starts it when its walk meets the nodes.
 */
export function startNodesEarly(fd: number, size: number, script = WORKER_URL, outFd = -1): NodesWorker | null {
  if (!existsSync(fileURLToPath(script))) return null;
  const front = readFrontHeader(fd, size);
  if (!front || !fitsFile(front.header, size)) return null;
  const { meta, nodeCount, edgeCount } = front.header;
  const numbers = nodeCount * meta.nodeFields.length + edgeCount * meta.edgeFields.length;
  const rest = Math.max(0, size - front.nodesStart - (2 * numbers - 2));
  try {
    return startNodesWorker(fd, size, front.header, front.nodesStart, Math.floor(rest / 3) + 1, script, outFd);
  } catch (e) {
    // that much address space refused (overcommit off): the worker starts once the strings are read
    if (e instanceof RangeError) return null;
    throw e;
  }
}

/**
 * Tells a worker started by startNodesEarly where the strings start (the `[` at `stringsOpen`), and with it where
 * the copy's front ends (`out`, or null: the worker writes nothing). False when its nodes do not come before the
 * strings: the caller stops it.
 */
export function publishLimit(par: NodesWorker, stringsOpen: number, out: FrontOutput | null): boolean {
  if (par.nodesStart > stringsOpen) return false;
  par.out = out && { ...out };
  par.offsets[4] = out ? out.limit : -1;
  signal(par.ctrl, USES_CTRL.limitReady);
  return true;
}

/** File offsets [from, to) of the front that the parse threads wrote to the redacted copy. */
export type WrittenRange = [number, number];

/** Tells the worker to stop before its next chunk of bytes (from a signal handler, which cannot wait). */
export function tellStop(par: NodesWorker): void {
  Atomics.store(par.ctrl, CTRL.abort, 1);
  Atomics.store(par.ctrl, CTRL.claims, 0); // no edge chunks left to take
}

/** Stops a worker started by startNodesEarly that was not handed to readFrontParallel. */
export async function stopNodesWorker(par: NodesWorker): Promise<void> {
  await stop(par);
}

/** Whether the counts of the header fit the file (every number takes two bytes at least): else not taken at their word. */
function fitsFile(header: SnapshotLayout['header'], size: number): boolean {
  const { meta, nodeCount, edgeCount } = header;
  return nodeCount > 0 && 2 * (nodeCount * meta.nodeFields.length + edgeCount * meta.edgeFields.length) <= size;
}

function sameOutput(a: FrontOutput | null, b: FrontOutput | null): boolean {
  return a === b || (a !== null && b !== null && a.fd === b.fd && a.limit === b.limit);
}

/** The same counts and meta (the header read at the start and the one the walk reads: the file did not change). */
function sameHeader(a: SnapshotLayout['header'], b: SnapshotLayout['header']): boolean {
  const lists = (h: SnapshotLayout['header']) =>
    JSON.stringify([
      h.nodeCount,
      h.edgeCount,
      h.meta.nodeFields,
      h.meta.edgeFields,
      h.meta.nodeTypes,
      h.meta.edgeTypes,
    ]);
  return lists(a) === lists(b);
}

/**
 * Starts the worker on the nodes whose body starts at `nodesStart`, with room for the uses of `stringBound`
 * strings at most; publishStrings gives it the strings' names once known.
 */
function startNodesWorker(
  fd: number,
  size: number,
  header: SnapshotLayout['header'],
  nodesStart: number,
  stringBound: number,
  script: URL,
  outFd: number,
): NodesWorker {
  const { nodeCount, edgeCount } = header;
  const ctrl = new SharedArrayBuffer(USES_CTRL.size * 4);
  const offsets = new SharedArrayBuffer(5 * 8);
  const named = new SharedArrayBuffer(stringBound);
  const memory: SharedUses = {
    uses: new SharedArrayBuffer(stringBound),
    dictionaryStore: new SharedArrayBuffer((nodeCount + 7) >>> 3),
    counts: sharedCounts(nodeCount, edgeCount),
  };
  const input: UsesInput = {
    fd,
    ctrl,
    offsets,
    nodesStart,
    header: { ...header, meta: { ...header.meta } },
    named,
    memory,
    bufferSize: READ_BUFFER,
    outFd,
    nodeChunk: nodeChunkSize(size),
  };
  initNodeClaims(new Int32Array(ctrl), USES_CTRL.nodeClaims);
  const worker = new Worker(script, { workerData: input });
  const result = new Promise<UsesResult>((resolve) => {
    worker.once('message', (m: UsesResult) => resolve(m));
    worker.once('error', (e) => resolve({ crash: e.message }));
    worker.once('exit', (code) => resolve({ crash: `parse worker exited with code ${code}` }));
  });
  const views = { ctrl: new Int32Array(ctrl), offsets: new Float64Array(offsets), named: new Uint8Array(named) };
  return { worker, result, ...views, memory, header, nodesStart, nodesClose: -1, out: null };
}

/** Gives the worker namedStrings() of the strings (it needs them once it has parsed the nodes). */
function publishStrings(par: NodesWorker, named: Uint8Array): void {
  if (named.length > par.named.length) throw new NotOnePass();
  par.named.set(named);
  Atomics.store(par.ctrl, USES_CTRL.stringCount, named.length);
  signal(par.ctrl, USES_CTRL.stringsReady);
}

/** Atomics.waitAsync (Node 16 and up; the ES2024 library typings this project does not use). */
interface AtomicsWaitAsync {
  waitAsync(
    array: Int32Array,
    index: number,
    value: number,
  ): { async: false; value: string } | { async: true; value: Promise<string> };
}

/** Waits until the worker has taken every node; null then, else what to return (it failed). */
async function nodesDone(par: NodesWorker): Promise<null | 'no worker'> {
  const waited = (Atomics as unknown as AtomicsWaitAsync).waitAsync(par.ctrl, USES_CTRL.nodesDone, 0);
  if (waited.async) await Promise.race([waited.value, par.result]);
  if (Atomics.load(par.ctrl, USES_CTRL.nodesDone) === 1) return null;
  const result = await par.result;
  if ('problem' in result) throw new NotOnePass();
  return 'no worker';
}

async function stop(par: NodesWorker): Promise<void> {
  tellStop(par);
  Atomics.notify(par.ctrl, CTRL.edgesReady);
  Atomics.notify(par.ctrl, USES_CTRL.stringsReady);
  Atomics.notify(par.ctrl, USES_CTRL.limitReady);
  await par.worker.terminate();
}

/** a[i] |= b[i] for every byte of a (b as long): four bytes at a time where both are aligned (2 M strings at the end). */
export function orInto(a: Uint8Array, b: Uint8Array): void {
  let i = 0;
  if (a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0) {
    const words = a.length >>> 2;
    const wa = new Uint32Array(a.buffer, a.byteOffset, words);
    const wb = new Uint32Array(b.buffer, b.byteOffset, words);
    for (let w = 0; w < words; w++) wa[w] |= wb[w];
    i = words << 2;
  }
  for (; i < a.length; i++) a[i] |= b[i];
}

/** File offset of the first `]` at or after `from` (the end of a number array whose least length is known). */
function closeOf(fd: number, size: number, from: number): number {
  const buf = Buffer.allocUnsafe(1 << 20);
  for (let pos = from; pos < size; ) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, size - pos), pos);
    if (n === 0) break;
    const at = buf.subarray(0, n).indexOf(93);
    if (at >= 0) return pos + at;
    pos += n;
  }
  throw new SnapshotFormatError('a number array does not end', size);
}

/**
 * The targets of the root's shortcut edges (the global objects, whose properties stay code whatever their mode),
 * read from the root's edges at the front of `edges` before the back walk needs them.
 */
function rootGlobals(fd: number, header: SnapshotLayout['header'], edgesStart: number, rootEdges: number): Set<number> {
  const { meta, nodeCount } = header;
  const ef = meta.edgeFields.length;
  const nf = meta.nodeFields.length;
  const eType = meta.edgeFields.indexOf('type');
  const eTo = meta.edgeFields.indexOf('to_node');
  const shortcut = meta.edgeTypes.indexOf('shortcut');
  const globals = new Set<number>();
  const records = new RecordBatches(new NumberStream(fd, edgesStart, 'edges'), ef, Math.min(rootEdges, 16384) || 1);
  for (let k = 0; k < rootEdges; k++) {
    const at = records.advance();
    if (at < 0) throw new NotOnePass();
    const to = records.batch[at + eTo];
    if (records.batch[at + eType] === shortcut && to % nf === 0 && to < nodeCount * nf) globals.add(to / nf);
  }
  return globals;
}
