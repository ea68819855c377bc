import { closeSync, constants, existsSync, fstatSync, openSync, type Stats } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { badInput, HeapwatchError, runtimeError } from '../errors.js';
import { FileWindow } from './file-window.js';
import {
  type BadField,
  type CheckResult,
  convertEdges,
  convertLocations,
  EdgeConverter,
  type EdgeOutput,
  firstBadEdgeName,
  firstBadStoredNodeName,
  NodeIndexer,
  storedNodes,
} from './finish.js';
import { type FormatProblem, SnapshotFormatError } from './format-error.js';
import { skipString, skipValue, unexpected } from './json-skip.js';
import { parseHeader, type SnapshotHeader } from './meta.js';
import {
  type BigSelfSizes,
  type ChunkPlan,
  initClaims,
  offsetOfNumber,
  parseBackChunks,
  parseNodesArray,
  parseOpenArray,
  parseWholeArray,
  planChunks,
} from './number-array.js';
import { joinScans, type ScanState } from './number-scan.js';
import { type NumberScanner, numberScanner, type ScannerKind } from './number-scanner.js';
import { BackwardRecords, ForwardRecords, numbersIn } from './scan-targets.js';
import { HeapSnapshot } from './snapshot.js';
import { checkSnapshotEnd } from './snapshot-end.js';
import { StringTable } from './string-table.js';
import { readStrings } from './strings-section.js';
import { WasmStringScanner } from './wasm/wasm-strings.js';
import { CTRL, type HeldNumbers, signal, type WorkerInput, type WorkerResult } from './worker-protocol.js';

export interface ReadOptions {
  /** Called with the fraction of the file parsed so far (0…1), from the main thread. */
  onProgress?: (fraction: number) => void;
  /** Parse `nodes` and half of `edges` on a worker thread: 'auto' (default) does so for files of 16 MB and more. */
  parallel?: boolean | 'auto';
  /** Read buffer size in bytes (tests use tiny ones to put chunk boundaries everywhere). Default 1 MiB. */
  bufferSize?: number;
  /** Size of the edge chunks the two threads take turns on. Default 2 MiB. */
  chunkSize?: number;
  /** Script of the parse worker (tests give a broken one to see the reader carry on without it). */
  workerScript?: URL;
  /** The number scanner: 'auto' (default) is WebAssembly where the runtime has it; tests also run 'js'. */
  scanner?: ScannerKind;
}

const PARALLEL_FROM_BYTES = 16 << 20;
const MAX_HEADER_BYTES = 16 << 20;
// run from TypeScript sources (tests), the worker comes from the build in dist/
const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('../../dist/snapshot/parse-worker.js', import.meta.url)
  : new URL('./parse-worker.js', import.meta.url);

/**
 * Reads a V8 .heapsnapshot file into a HeapSnapshot, as a byte stream into typed arrays (never the file as one
 * string or buffer). Any defect in the file ends in a HeapwatchError with exit code 2 naming the byte offset.
 *
 * How: the main thread walks the top-level object with a small read window (header, strings, locations, skipped
 * sections) and finds where `nodes` and `edges` end; a worker thread parses `nodes`, then both threads parse
 * `edges` from its two ends into one SharedArrayBuffer, chunk by chunk, and meet in the middle. The main thread
 * reads synchronously, so the event loop is blocked while it works (as with any CPU-bound parse).
 */
export async function readSnapshot(file: string, opts: ReadOptions = {}): Promise<HeapSnapshot> {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would wait for a writer forever; on a regular file it changes nothing
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw openError(file, e);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new HeapwatchError(`not a regular file (${fileKind(stat)}): ${file}`, 'NOT_A_FILE', 2);
    return await new SnapshotReader(file, fd, stat.size, opts).read();
  } catch (e) {
    if (e instanceof SnapshotFormatError) throw badInput(e.what, file, e.offset);
    if (e instanceof HeapwatchError) throw e;
    if (e instanceof RangeError && /allocat|Array buffer|Invalid typed array length/i.test(e.message)) {
      throw runtimeError(`not enough memory to read ${file}: ${e.message}`, 'OUT_OF_MEMORY');
    }
    if (isErrno(e)) throw runtimeError(`cannot read ${file}: ${e.message}`, 'IO');
    throw e;
  } finally {
    closeSync(fd);
  }
}

function openError(file: string, e: unknown): HeapwatchError {
  const code = isErrno(e) ? e.code : undefined;
  if (code === 'ENOENT') return new HeapwatchError(`no such file: ${file}`, 'NO_SUCH_FILE', 2);
  if (code === 'EACCES') return new HeapwatchError(`permission denied: ${file}`, 'NO_ACCESS', 2);
  return runtimeError(`cannot open ${file}: ${(e as Error).message}`, 'IO');
}

function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a file';
}

function isErrno(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string';
}

interface Parallel {
  worker: Worker;
  result: Promise<WorkerResult>;
  ctrl: Int32Array;
  offsets: Float64Array;
}

class SnapshotReader {
  private readonly win: FileWindow;
  private readonly scanner: NumberScanner;
  /** Reads the strings section, in the window's memory (none without WebAssembly). */
  private readonly stringScanner: WasmStringScanner | undefined;
  private header: SnapshotHeader | undefined;
  private nodes: Uint32Array = new Uint32Array(0);
  private nodeTypes: Uint8Array = new Uint8Array(0);
  /** How many numbers `edges` holds: its records are converted into `edgeOut` as they are parsed, never kept. */
  private edgeNumbers = 0;
  private edgeOut: EdgeOutput = { types: new Uint8Array(0), names: new Uint32Array(0), targets: new Uint32Array(0) };
  private nodesStart = -1;
  private edgesStart = -1;
  private edgesPlan: ChunkPlan | undefined;
  private strings: StringTable = StringTable.fromStrings([]);
  private locations: Uint32Array = new Uint32Array(0);
  private locationsStart = -1;
  private firstEdge: Uint32Array = new Uint32Array(0);
  /** Node and edge checks done so far (by the worker and the main thread), see build(). */
  private nodesCheck: CheckResult | undefined;
  /** Self sizes over 2^32-1, when the snapshot has any. */
  private bigSelfSizes: BigSelfSizes | null = null;
  private edgeChecks: CheckResult[] = [];
  private parallel: Parallel | undefined;
  private readonly wantParallel: boolean;
  private readonly workerUrl: URL;
  private mainBytes = 0;

  constructor(
    private readonly file: string,
    private readonly fd: number,
    private readonly size: number,
    private readonly opts: ReadOptions,
  ) {
    // 1 MiB: a 4 MiB window cost every read ~50 ms more (its scanner memory) and read big files no faster
    const bufferSize = opts.bufferSize ?? 1 << 20;
    const wasm = opts.scanner !== 'js' && typeof WebAssembly === 'object';
    this.stringScanner = wasm ? new WasmStringScanner(bufferSize) : undefined;
    this.win = new FileWindow(fd, size, bufferSize, this.stringScanner?.window);
    this.scanner = numberScanner(bufferSize, opts.scanner);
    const p = opts.parallel ?? 'auto';
    this.workerUrl = opts.workerScript ?? WORKER_URL;
    const workerThere = existsSync(fileURLToPath(this.workerUrl));
    this.wantParallel = workerThere && (p === true || (p === 'auto' && size >= PARALLEL_FROM_BYTES));
  }

  async read(): Promise<HeapSnapshot> {
    try {
      this.walk();
      if (this.parallel) await this.finishParallel(this.parallel);
    } catch (e) {
      if (this.parallel && e instanceof SnapshotFormatError) throw await this.earliest(this.parallel, e);
      if (this.parallel) await this.stopWorker(this.parallel);
      throw e;
    }
    return this.build();
  }

  private progress = (bytes: number): void => {
    this.mainBytes += bytes;
    const report = this.opts.onProgress;
    if (!report) return;
    const workerBytes = this.parallel ? Atomics.load(this.parallel.ctrl, CTRL.progressKiB) * 1024 : 0;
    report(Math.min(1, (this.mainBytes + workerBytes) / this.size));
  };

  /** Walks the top-level object, section by section, in whatever order the file has them. */
  private walk(): void {
    const win = this.win;
    if (this.size === 0) throw new SnapshotFormatError('empty file', 0);
    let p = win.skipWs(0);
    if (win.byte(p) !== 123) {
      if (p >= this.size) throw new SnapshotFormatError('file holds only whitespace', p);
      throw new SnapshotFormatError('not a heap snapshot: expected a JSON object', p);
    }
    const seen = new Set<string>();
    p = win.skipWs(p + 1);
    if (win.byte(p) !== 125) {
      for (;;) {
        if (win.byte(p) !== 34) throw unexpected(win, p, 'a section name');
        const keyEnd = skipString(win, p);
        const key = this.sectionName(p, keyEnd);
        if (seen.has(key)) throw new SnapshotFormatError(`the '${key}' section appears twice`, p);
        seen.add(key);
        p = win.skipWs(keyEnd);
        if (win.byte(p) !== 58) throw unexpected(win, p, "':'");
        p = this.section(key, win.skipWs(p + 1));
        p = win.skipWs(p);
        const c = win.byte(p);
        if (c === 125) break;
        if (c !== 44) throw unexpected(win, p, "',' or '}'");
        p = win.skipWs(p + 1);
      }
    }
    checkSnapshotEnd(win, p, seen);
  }

  private sectionName(from: number, to: number): string {
    try {
      return JSON.parse(this.win.read(from, Math.min(to, from + 4096)).toString('utf8')) as string;
    } catch {
      throw new SnapshotFormatError('bad section name', from);
    }
  }

  /** Reads or steps over one section's value at p; returns the position after it. */
  private section(key: string, p: number): number {
    const win = this.win;
    switch (key) {
      case 'snapshot': {
        const end = skipValue(win, p, MAX_HEADER_BYTES);
        this.setHeader(parseHeader(win.read(p, end).toString('utf8'), p));
        return end;
      }
      case 'nodes':
      case 'edges': {
        if (!this.header) throw new SnapshotFormatError(`the '${key}' section comes before the snapshot meta`, p);
        if (win.byte(p) !== 91) throw unexpected(win, p, `'[' to open ${key}`);
        const start = p + 1;
        if (key === 'nodes') this.nodesStart = start;
        else this.edgesStart = start;
        if (!this.parallel) {
          if (key === 'nodes') return this.parseNodes(start) + 1;
          return this.parseEdges(start) + 1;
        }
        if (key === 'nodes') {
          this.parallel.offsets[0] = start;
          signal(this.parallel.ctrl, CTRL.nodesReady);
        }
        // n numbers take at least 2n-1 bytes, so the `]` cannot come sooner (the worker checks the count itself)
        const numbers = key === 'nodes' ? this.nodes.length : this.edgeNumbers;
        const close = win.indexOf(93, start + Math.max(0, 2 * numbers - 1));
        if (close < 0) throw new SnapshotFormatError(`file ends inside the ${key} array`, this.size);
        if (key === 'edges') this.planEdges(this.parallel, start, close);
        return close + 1;
      }
      case 'locations': {
        if (win.byte(p) !== 91) throw unexpected(win, p, "'[' to open locations");
        this.locationsStart = p + 1;
        const close = win.indexOf(93, p + 1);
        if (close < 0) throw new SnapshotFormatError('file ends inside the locations array', this.size);
        const parsed = parseOpenArray(this.fd, this.scanner, p + 1, Math.ceil((close - p) / 2), 'locations');
        this.locations = parsed.values;
        this.progress(parsed.close + 1 - p);
        return parsed.close + 1;
      }
      case 'strings': {
        if (win.byte(p) !== 91) throw unexpected(win, p, "'[' to open strings");
        const { strings, end } = readStrings(win, p + 1, this.progress, undefined, this.stringScanner);
        this.strings = strings;
        return end;
      }
      default: {
        const end = skipValue(win, p);
        this.progress(end - p);
        return end;
      }
    }
  }

  /** With the counts known: checks them against the file size, makes the arrays, starts the worker. */
  private setHeader(header: SnapshotHeader): void {
    this.header = header;
    const nodeNumbers = header.nodeCount * header.meta.nodeFields.length;
    const edgeNumbers = header.edgeCount * header.meta.edgeFields.length;
    const headerAt = header.countsAt;
    if (header.nodeCount === 0) throw new SnapshotFormatError('snapshot.node_count is 0: no root node', headerAt);
    // every number takes at least two bytes (a digit and a separator): reject counts the file cannot hold
    if (2 * (nodeNumbers + edgeNumbers) > this.size) {
      throw new SnapshotFormatError('the file is too short for its node_count and edge_count (truncated?)', headerAt);
    }
    this.edgeNumbers = edgeNumbers;
    if (!this.wantParallel) {
      this.nodes = new Uint32Array(nodeNumbers);
      this.nodeTypes = new Uint8Array(header.nodeCount);
      this.firstEdge = new Uint32Array(header.nodeCount + 1);
      this.edgeOut = edgeOutput((bytes) => new ArrayBuffer(bytes), header.edgeCount);
      return;
    }
    const nodesBuf = new SharedArrayBuffer(nodeNumbers * 4);
    const typesBuf = new SharedArrayBuffer(header.nodeCount);
    const firstEdgeBuf = new SharedArrayBuffer((header.nodeCount + 1) * 4);
    this.nodes = new Uint32Array(nodesBuf);
    this.nodeTypes = new Uint8Array(typesBuf);
    this.firstEdge = new Uint32Array(firstEdgeBuf);
    this.edgeOut = edgeOutput((bytes) => new SharedArrayBuffer(bytes), header.edgeCount);
    const ctrlBuf = new SharedArrayBuffer(CTRL.size * 4);
    const offsetsBuf = new SharedArrayBuffer(8 * 8);
    const input: WorkerInput = {
      file: this.file,
      ctrl: ctrlBuf,
      offsets: offsetsBuf,
      nodes: nodesBuf,
      nodeTypes: typesBuf,
      edgeNumbers,
      firstEdge: firstEdgeBuf,
      edgeOut: this.edgeOut,
      meta: { ...header.meta },
      bufferSize: this.scanner.buf.length - 2,
      scanner: this.opts.scanner ?? 'auto',
    };
    const worker = new Worker(this.workerUrl, { workerData: input });
    const result = new Promise<WorkerResult>((resolve) => {
      worker.once('message', (m: WorkerResult) => resolve(m));
      worker.once('error', (e) => resolve({ crash: e.message }));
      worker.once('exit', (code) => resolve({ crash: `parse worker exited with code ${code}` }));
    });
    this.parallel = { worker, result, ctrl: new Int32Array(ctrlBuf), offsets: new Float64Array(offsetsBuf) };
  }

  private planEdges(par: Parallel, start: number, close: number): void {
    const plan = planChunks(start, close, this.opts.chunkSize ?? 2 << 20);
    this.edgesPlan = plan;
    par.offsets.set([plan.start, plan.end, plan.chunkSize, plan.chunkCount], 1);
    initClaims(par.ctrl, CTRL.claims, plan);
    signal(par.ctrl, CTRL.edgesReady);
  }

  /**
   * Main thread takes edge chunks from the back while the worker finishes nodes and takes them from the front;
   * each side converts the edge records it wrote whole, chunk by chunk; the main thread joins the two halves and
   * converts the record or two where they meet.
   */
  private async finishParallel(par: Parallel): Promise<void> {
    const { meta, nodeCount } = this.header!;
    const plan = this.edgesPlan!;
    const converter = new EdgeConverter(meta, nodeCount, this.edgeOut);
    const width = meta.edgeFields.length;
    const back = new BackwardRecords(this.edgeNumbers, width, numbersIn(this.scanner.buf.length), converter);
    const backStop = parseBackChunks(this.fd, this.scanner, plan, back, par.ctrl, CTRL.claims, this.progress);
    const result = await par.result;
    await par.worker.terminate();
    if ('problem' in result) throw this.honest(result.problem);
    if (!('front' in result) || result.frontStop !== backStop) {
      // the worker died (out of memory, its file replaced under it…): parse both arrays again on this thread
      this.parseSequentially();
      return;
    }
    this.nodesCheck = result.nodesCheck;
    this.bigSelfSizes = result.bigSelfSizes;
    const middle = this.joinEdges(result.front, result.frontHeld, back, backStop);
    this.edgeChecks.push(result.edgesCheck, middle, converter.result());
  }

  /** Parses `nodes` on this thread, checking and storing the records as they come; returns the `]` position. */
  private parseNodes(start: number): number {
    const { meta, edgeCount } = this.header!;
    let indexer: NodeIndexer | undefined;
    const sink = () => {
      indexer = new NodeIndexer(meta, this.nodes, this.nodeTypes, edgeCount, this.firstEdge);
      return indexer;
    };
    const { close, big } = parseNodesArray(
      this.fd,
      this.scanner,
      start,
      this.nodes.length,
      meta.nodeFields,
      sink,
      this.progress,
    );
    this.nodesCheck = indexer!.result();
    this.bigSelfSizes = big;
    return close;
  }

  /** Parses `edges` on this thread, converting the records as they come; returns the `]` position. */
  private parseEdges(start: number): number {
    const { meta, nodeCount } = this.header!;
    const converter = new EdgeConverter(meta, nodeCount, this.edgeOut);
    const capacity = numbersIn(this.scanner.buf.length);
    const records = new ForwardRecords(this.edgeNumbers, meta.edgeFields.length, capacity, converter);
    const close = parseWholeArray(this.fd, this.scanner, start, records, 'edges', this.progress);
    this.edgeChecks = [converter.result()];
    return close;
  }

  private parseSequentially(): void {
    this.parseNodes(this.nodesStart);
    this.parseEdges(this.edgesStart);
  }

  /**
   * Where the two scans of `edges` met: completes the number split between them and converts the record or two
   * around it from what each side held back.
   */
  private joinEdges(front: ScanState, frontHeld: HeldNumbers, back: BackwardRecords, at: number): CheckResult {
    const { meta, nodeCount } = this.header!;
    const backHeld = back.held();
    const from = frontHeld.from;
    const meet = front.index + 1 === back.state.index;
    const middle = new Uint32Array(meet ? backHeld.from + backHeld.values.length - from : 0);
    if (meet) {
      middle.set(frontHeld.values, 0);
      middle.set(backHeld.values, backHeld.from - from);
    }
    const relative = (st: ScanState): ScanState => ({ ...st, index: st.index - from });
    const problem = joinScans(relative(front), relative(back.state), middle, this.edgeNumbers);
    if (problem) throw this.honest({ what: problem.what, offset: at, kind: problem.kind });
    const width = meta.edgeFields.length;
    return convertEdges(meta, middle, 0, from / width, middle.length / width, nodeCount, this.edgeOut);
  }

  /** On an error in the main thread: stop the worker, and report whichever problem comes first in the file. */
  private async earliest(par: Parallel, e: SnapshotFormatError): Promise<SnapshotFormatError> {
    const result = await this.stopWorker(par);
    const mine = this.honest(e.toProblem());
    if (result && 'problem' in result) {
      const theirs = this.honest(result.problem);
      if (theirs.offset < mine.offset) return theirs;
    }
    return mine;
  }

  private async stopWorker(par: Parallel): Promise<WorkerResult | undefined> {
    Atomics.store(par.ctrl, CTRL.abort, 1);
    Atomics.store(par.ctrl, CTRL.claims, 0); // no edge chunks left to take
    Atomics.notify(par.ctrl, CTRL.nodesReady);
    Atomics.notify(par.ctrl, CTRL.edgesReady);
    const result = await par.result;
    await par.worker.terminate();
    return result;
  }

  /** Count problems of the edges array are found where two scans meet; point at the first surplus number or the early `]`. */
  private honest(p: FormatProblem): SnapshotFormatError {
    if (p.kind !== 'count' || this.edgesStart < 0) return new SnapshotFormatError(p.what, p.offset);
    const at = offsetOfNumber(this.fd, this.edgesStart, this.edgeNumbers);
    const byte = this.win.read(at, at + 1)[0];
    const what =
      byte === undefined
        ? 'file ends inside the edges array'
        : byte === 93
          ? 'edges: fewer numbers than the snapshot meta announces'
          : 'edges: more numbers than the snapshot meta announces';
    return new SnapshotFormatError(what, at);
  }

  /** The checks that need everything read: firstEdge, edge targets as ordinals, name indexes, locations. */
  private build(): HeapSnapshot {
    const { meta, nodeCount } = this.header!;
    const nodesCheck = this.nodesCheck!;
    const stringCount = this.strings.length;
    const bad: BadField[] = [];
    if (nodesCheck.bad) bad.push(nodesCheck.bad);
    else if (nodesCheck.maxName >= stringCount) bad.push(firstBadStoredNodeName(meta, this.nodes, stringCount)!);
    for (const check of this.edgeChecks) {
      if (check.bad) bad.push(check.bad);
    }
    if (bad.length === 0 && this.edgeChecks.some((c) => c.maxName >= stringCount)) {
      bad.push(firstBadEdgeName(meta, this.edgeOut, stringCount)!);
    }
    if (bad.length === 0) {
      const locationsBad = convertLocations(meta, this.locations, nodeCount);
      if (locationsBad) bad.push(locationsBad);
    }
    if (bad.length > 0) {
      const errors = bad.map((b) => this.badField(b));
      throw errors.reduce((a, b) => (b.offset < a.offset ? b : a));
    }
    this.progress(0);
    const { meta: nodesMeta, nodes, freed } = storedNodes(meta, this.nodes);
    const { types, names, targets } = this.edgeOut;
    return new HeapSnapshot(
      nodesMeta,
      nodes,
      this.nodeTypes,
      types,
      names,
      targets,
      this.firstEdge,
      this.strings,
      this.locations,
      freed,
      nodesCheck.domStateNodes ?? null,
      this.bigSelfSizes,
    );
  }

  private badField(bad: BadField): SnapshotFormatError {
    const start =
      bad.section === 'nodes' ? this.nodesStart : bad.section === 'edges' ? this.edgesStart : this.locationsStart;
    return new SnapshotFormatError(bad.what, offsetOfNumber(this.fd, start, bad.index));
  }
}

/** Arrays for the converted edges (see EdgeOutput), in the memory `allocate` gives. */
function edgeOutput(allocate: (bytes: number) => ArrayBuffer | SharedArrayBuffer, edgeCount: number): EdgeOutput {
  return {
    types: new Uint8Array(allocate(edgeCount)),
    names: new Uint32Array(allocate(edgeCount * 4)),
    targets: new Uint32Array(allocate(edgeCount * 4)),
  };
}
