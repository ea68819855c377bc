import { readSync } from 'node:fs';
import { SnapshotFormatError } from './format-error.js';
import { forwardState, ScanError, TOO_LARGE } from './number-scan.js';
import { JsNumberScanner, type NumberScanner } from './number-scanner.js';
import { type BackwardRecords, ForwardRecords, numbersIn, type RecordSink } from './scan-targets.js';

/**
 * Reading the big number arrays (`nodes`, `edges`) with positioned reads into a reused buffer:
 * whole arrays front to back, or one array split into chunks that two threads claim from both ends.
 */

/** Reads up to `length` bytes at file offset `pos` into buf[1…]; returns the byte count (less only at the end). */
export function readChunk(fd: number, buf: Uint8Array, pos: number, length = buf.length - 2): number {
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, 1 + got, length - got, pos + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

function rethrow(e: unknown, base: number): never {
  if (e instanceof ScanError) throw new SnapshotFormatError(e.what, base + e.pos, e.kind);
  throw e;
}

/**
 * Parses the array whose body starts at `start` (just after `[`) into its target, which must come out exactly
 * full. Returns the position of the closing `]`.
 */
export function parseWholeArray(
  fd: number,
  scanner: NumberScanner,
  start: number,
  target: ForwardRecords,
  section: string,
  onBytes: (bytes: number) => void,
  /** Given each run of bytes read, through the `]` (at buf[1…]; file offset pos): the redactor copies them. */
  onRead?: (buf: Uint8Array, pos: number, bytes: number) => void,
): number {
  const st = target.state;
  let pos = start;
  for (;;) {
    const n = readChunk(fd, scanner.buf, pos);
    if (n === 0) throw new SnapshotFormatError(`file ends inside the ${section} array`, pos);
    let close: number;
    try {
      close = target.scan(scanner, 1, 1 + n, true) - 1;
    } catch (e) {
      if (e instanceof ScanError && e.kind === 'count') {
        throw new SnapshotFormatError(`${section}: more numbers than the snapshot meta announces`, pos + e.pos - 1);
      }
      rethrow(e, pos - 1);
    }
    onRead?.(scanner.buf, pos, close >= 0 ? close + 1 : n);
    if (close >= 0) {
      onBytes(close + 1);
      if (st.index !== target.total) {
        throw new SnapshotFormatError(
          `${section}: ${st.index} numbers where the snapshot meta announces ${target.total}`,
          pos + close,
        );
      }
      return pos + close;
    }
    onBytes(n);
    pos += n;
  }
}

/** Node self sizes over 2^32-1 (their `nodes` slot holds 0xffffffff): node ordinals, ascending, and exact sizes. */
export interface BigSelfSizes {
  ordinals: Uint32Array;
  sizes: Float64Array;
}

/**
 * Parses `nodes` (see parseWholeArray) into the sink `makeSink` gives. Self sizes over 2^32-1 (a 5 GiB
 * ArrayBuffer, a WebAssembly memory) are legitimate: the first one fails the fast scan, and only then is the
 * array read again, with the JS scanner, keeping each such size (up to 2^53-1) in a side list. Any other
 * field, or a size from 2^53 up, stays an error.
 */
export function parseNodesArray(
  fd: number,
  scanner: NumberScanner,
  start: number,
  total: number,
  fields: readonly string[],
  makeSink: () => RecordSink,
  onBytes: (bytes: number) => void,
): { close: number; big: BigSelfSizes | null } {
  const width = fields.length;
  const capacity = numbersIn(scanner.buf.length);
  let reported = 0;
  const counted = (bytes: number) => {
    reported += bytes;
    onBytes(bytes);
  };
  try {
    const records = new ForwardRecords(total, width, capacity, makeSink());
    return { close: parseWholeArray(fd, scanner, start, records, 'nodes', counted), big: null };
  } catch (e) {
    if (!(e instanceof SnapshotFormatError && e.what === TOO_LARGE)) throw e;
  }
  const sizeField = fields.indexOf('self_size');
  const ordinals: number[] = [];
  const sizes: number[] = [];
  const keep = (index: number, value: number): boolean => {
    if (index % width !== sizeField || !(value <= Number.MAX_SAFE_INTEGER)) return false;
    ordinals.push((index - sizeField) / width);
    sizes.push(value);
    return true;
  };
  const records = new ForwardRecords(total, width, capacity, makeSink(), keep);
  let again = 0;
  // progress: only the bytes past those the failed pass reported
  const close = parseWholeArray(fd, new JsNumberScanner(scanner.buf.length - 2), start, records, 'nodes', (bytes) => {
    const before = again;
    again += bytes;
    if (again > reported) onBytes(again - Math.max(before, reported));
  });
  return { close, big: { ordinals: Uint32Array.from(ordinals), sizes: Float64Array.from(sizes) } };
}

/**
 * Parses an array of unknown length (at most `capacity` numbers) whose body starts at `start`, into a typed
 * array that starts at a guess from the byte count and grows as needed.
 */
export function parseOpenArray(
  fd: number,
  scanner: NumberScanner,
  start: number,
  capacity: number,
  section: string,
): { values: Uint32Array; close: number } {
  let dest = new Uint32Array(Math.min(capacity, Math.max(1024, Math.ceil(capacity / 2.5))));
  const st = forwardState();
  for (let pos = start; ; ) {
    const n = readChunk(fd, scanner.buf, pos);
    if (n === 0) throw new SnapshotFormatError(`file ends inside the ${section} array`, pos);
    let close = -1;
    for (let from = 1; ; ) {
      try {
        close = scanner.forward(from, 1 + n, dest, st, true);
        break;
      } catch (e) {
        if (!(e instanceof ScanError && e.kind === 'count' && dest.length < capacity)) rethrow(e, pos - 1);
        // full: grow and go on from the byte that did not fit (the scan state is as it was before it)
        const grown = new Uint32Array(Math.min(capacity, Math.ceil(dest.length * 1.5)));
        grown.set(dest);
        dest = grown;
        from = (e as ScanError).pos;
      }
    }
    if (close >= 0)
      return { values: st.index === dest.length ? dest : dest.slice(0, st.index), close: pos + close - 1 };
    pos += n;
  }
}

/** One number array body [start, end) cut into chunks; a claim word packs (next front chunk, end of back chunks). */
export interface ChunkPlan {
  start: number;
  end: number;
  chunkSize: number;
  chunkCount: number;
}

const MAX_CHUNKS = 0x7fff;

export function planChunks(start: number, end: number, preferred: number): ChunkPlan {
  const len = end - start;
  const chunkSize = Math.max(preferred, Math.ceil(len / MAX_CHUNKS), 1);
  return { start, end, chunkSize, chunkCount: Math.ceil(len / chunkSize) };
}

export function initClaims(claims: Int32Array, slot: number, plan: ChunkPlan): void {
  Atomics.store(claims, slot, plan.chunkCount << 16);
}

/** Takes the next chunk from the front (fromBack=false) or the back; -1 when none is left. */
export function claim(claims: Int32Array, slot: number, fromBack: boolean): number {
  for (;;) {
    const w = Atomics.load(claims, slot);
    const lo = w & 0xffff;
    const hi = w >>> 16;
    if (lo >= hi) return -1;
    const next = fromBack ? lo | ((hi - 1) << 16) : lo + 1 + (hi << 16);
    if (Atomics.compareExchange(claims, slot, w, next) === w) return fromBack ? hi - 1 : lo;
  }
}

/** Told of each run a chunk walk has parsed: buf[1, 1+n) holds the bytes read at file offset `pos`. */
export type AfterScan = (buf: Uint8Array, n: number, pos: number) => void;

/**
 * Parses chunks claimed from the front, in order, into the target. Returns where it stopped (the start of the
 * first chunk it did not take), for `joinScans` with the back side; the scan state is the target's.
 */
export function parseFrontChunks(
  fd: number,
  scanner: NumberScanner,
  plan: ChunkPlan,
  target: ForwardRecords,
  claims: Int32Array,
  slot: number,
  onBytes: (bytes: number) => void,
  afterScan?: AfterScan,
): number {
  let stop = plan.start;
  for (let k = claim(claims, slot, false); k >= 0; k = claim(claims, slot, false)) {
    const from = plan.start + k * plan.chunkSize;
    const to = Math.min(plan.end, from + plan.chunkSize);
    for (let pos = from; pos < to; ) {
      const n = readChunk(fd, scanner.buf, pos, Math.min(scanner.buf.length - 2, to - pos));
      if (n === 0) throw new SnapshotFormatError('file shrank while being read', pos);
      try {
        target.scan(scanner, 1, 1 + n, false);
      } catch (e) {
        rethrow(e, pos - 1);
      }
      afterScan?.(scanner.buf, n, pos);
      pos += n;
      onBytes(n);
    }
    stop = to;
  }
  return stop;
}

/** Parses chunks claimed from the back, last to first, into the target; returns where it stopped. */
export function parseBackChunks(
  fd: number,
  scanner: NumberScanner,
  plan: ChunkPlan,
  target: BackwardRecords,
  claims: Int32Array,
  slot: number,
  onBytes: (bytes: number) => void,
  afterScan?: AfterScan,
): number {
  let stop = plan.end;
  for (let k = claim(claims, slot, true); k >= 0; k = claim(claims, slot, true)) {
    const from = plan.start + k * plan.chunkSize;
    const to = Math.min(plan.end, from + plan.chunkSize);
    for (let end = to; end > from; ) {
      const pos = Math.max(from, end - (scanner.buf.length - 2));
      const n = readChunk(fd, scanner.buf, pos, end - pos);
      if (n !== end - pos) throw new SnapshotFormatError('file shrank while being read', pos + n);
      try {
        target.scan(scanner, 1, 1 + n);
      } catch (e) {
        rethrow(e, pos - 1);
      }
      afterScan?.(scanner.buf, n, pos);
      end = pos;
      onBytes(n);
    }
    stop = from;
  }
  return stop;
}

/**
 * Byte offset of number `index` (0-based) of the array whose body starts at `start`, or of its `]` when the
 * array is shorter: the honest place to point at when a count or a value turns out wrong. Slow; error path only.
 */
export function offsetOfNumber(fd: number, start: number, index: number): number {
  const buf = Buffer.allocUnsafe((1 << 20) + 2);
  let seen = -1;
  let inNumber = false;
  for (let pos = start; ; ) {
    const n = readChunk(fd, buf, pos);
    if (n === 0) return pos;
    for (let i = 0; i < n; i++) {
      const c = buf[1 + i];
      if (c >= 48 && c <= 57) {
        if (!inNumber && ++seen === index) return pos + i;
        inNumber = true;
      } else {
        inNumber = false;
        if (c === 93) return pos + i;
      }
    }
    pos += n;
  }
}
