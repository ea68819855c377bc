import { writeSync } from 'node:fs';
import { SnapshotFormatError } from '../snapshot/format-error.js';
import { claim } from '../snapshot/number-array.js';

/**
 * Where a parse thread writes the bytes it has read and parsed: the same offsets of the redacted copy (the front
 * of a snapshot, everything before its strings, is copied verbatim), so no thread reads them a second time.
 * Nothing at or past `limit` (the strings' own bytes, which are only ever written redacted) is written.
 */
export interface FrontOutput {
  fd: number;
  limit: number;
}

/** Writes buf[from, from+n), read at file offset `pos`, to the same offset of the output; returns n. */
export function writeRead(out: FrontOutput, buf: Uint8Array, from: number, n: number, pos: number): number {
  if (pos + n > out.limit) throw new SnapshotFormatError('a number array runs into the strings', out.limit);
  for (let off = 0; off < n; ) off += writeSync(out.fd, buf, from + off, n - off, pos + off);
  return n;
}

/**
 * What the reader's chunk walks (parseFrontChunks, parseBackChunks in snapshot/number-array.ts) are given as their
 * afterScan for the redactor: each run of bytes, once parsed, written to `out`; `written` counts the bytes.
 */
export class ParsedRunWriter {
  written = 0;

  constructor(private readonly out: FrontOutput) {}

  afterScan = (buf: Uint8Array, n: number, pos: number): void => {
    this.written += writeRead(this.out, buf, 1, n, pos);
  };
}

/** The most chunks a claim word counts (16 bits each end); the nodes' chunks are at least this big. */
const MAX_NODE_CHUNKS = 0x7fff;
const MIN_NODE_CHUNK = 1 << 20;

/** The size of the chunks the nodes' bytes are claimed by, for a file of `size` bytes. */
export function nodeChunkSize(size: number): number {
  return Math.max(MIN_NODE_CHUNK, Math.ceil(size / MAX_NODE_CHUNKS));
}

/** A claim word whose back end is not known yet (the nodes' `]` is found later: setNodesEnd). */
export function initNodeClaims(claims: Int32Array, slot: number): void {
  Atomics.store(claims, slot, MAX_NODE_CHUNKS << 16);
}

/**
 * The nodes' bytes are written by two threads: the worker writes those it parses, chunk by chunk from the front,
 * while this thread, waiting for the nodes, copies chunks from the back (as the edges' chunks are claimed). Told
 * where the nodes end (the `]` at `close`), the back end of the claims is set there; returns the chunk count.
 */
export function setNodesEnd(claims: Int32Array, slot: number, start: number, close: number, chunkSize: number): number {
  const count = Math.ceil((close + 1 - start) / chunkSize);
  for (;;) {
    const w = Atomics.load(claims, slot);
    const hi = Math.min(w >>> 16, count);
    if (Atomics.compareExchange(claims, slot, w, (w & 0xffff) | (hi << 16)) === w) return count;
  }
}

/**
 * The worker's side: told of each run of the nodes' bytes it has parsed (parseWholeArray's onRead), writes the
 * part in chunks it could claim from the front; once a claim fails (this thread copied that chunk), it writes no
 * more. `written` counts the bytes.
 */
export class NodeWriter {
  written = 0;
  /** Chunks [0, claimed) are the worker's. */
  private claimed = 0;
  private done = false;

  constructor(
    private readonly out: FrontOutput,
    private readonly claims: Int32Array,
    private readonly slot: number,
    private readonly start: number,
    private readonly chunkSize: number,
  ) {}

  onRead = (buf: Uint8Array, pos: number, bytes: number): void => {
    for (let at = pos, end = pos + bytes; at < end && !this.done; ) {
      const k = Math.floor((at - this.start) / this.chunkSize);
      if (k >= this.claimed) {
        if (claim(this.claims, this.slot, false) !== k) {
          this.done = true;
          return;
        }
        this.claimed = k + 1;
      }
      const to = Math.min(end, this.start + (k + 1) * this.chunkSize);
      this.written += writeRead(this.out, buf, 1 + at - pos, to - at, at);
      at = to;
    }
  };
}

/**
 * This thread's side: copies chunks of the nodes claimed from the back (through `close`, the `]`) while
 * `waiting()`; returns the bytes copied.
 */
export function copyNodesFromBack(
  copyRange: (from: number, to: number) => void,
  claims: Int32Array,
  slot: number,
  start: number,
  close: number,
  chunkSize: number,
  waiting: () => boolean,
): number {
  let copied = 0;
  while (waiting()) {
    const k = claim(claims, slot, true);
    if (k < 0) break;
    const from = start + k * chunkSize;
    const to = Math.min(close + 1, from + chunkSize);
    copyRange(from, to);
    copied += to - from;
  }
  return copied;
}
