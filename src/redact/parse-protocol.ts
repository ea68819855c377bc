import type { SnapshotHeader } from '../snapshot/meta.js';
import type { ScanState } from '../snapshot/number-scan.js';
import type { HeldNumbers } from '../snapshot/worker-protocol.js';
import type { PendingNode, SharedUses } from './record-uses.js';

/**
 * Slots of the Int32Array shared between the main thread and the parse worker (uses-worker.ts): the reader's
 * (claims, edgesReady, abort, progressKiB: snapshot/worker-protocol.ts) and more.
 */
export const USES_CTRL = {
  /** 1 once the worker has taken every node, 2 when it failed (it then posts its result). */
  nodesDone: 5,
  /** How many edge counts are 255 or more, once the nodes are done. */
  largeCounts: 6,
  /** Set to 1 by the main thread once `named` and stringCount are there (the worker may parse the nodes before). */
  stringsReady: 7,
  /** How many strings the table holds, once stringsReady. */
  stringCount: 8,
  /** 1 once the worker has parsed every node (before it waits for the strings), 2 when it failed. */
  nodesParsed: 9,
  /** The claims of the nodes' chunks, written by the worker from the front, copied by the main thread from the back. */
  nodeClaims: 10,
  /** Set to 1 by the main thread once offsets[4] holds where the strings start (the worker writes nothing from there on). */
  limitReady: 11,
  size: 12,
} as const;

export interface UsesInput {
  /** The main thread's descriptor of the snapshot. */
  fd: number;
  ctrl: SharedArrayBuffer;
  /** Float64: the edges' chunk plan (start, end, chunk size, chunk count), once edgesReady; the limit, once limitReady. */
  offsets: SharedArrayBuffer;
  /** File offset just after the `[` of nodes. */
  nodesStart: number;
  header: SnapshotHeader;
  /** namedStrings() of the strings, written by the main thread before it sets stringsReady. */
  named: SharedArrayBuffer;
  /** `memory.uses` and `named` hold a byte for each of as many strings as the strings section could hold. */
  memory: SharedUses;
  bufferSize: number;
  /**
   * The redacted copy's descriptor, -1 for none: the worker writes the bytes it parses to it, nothing at or past
   * the limit it waits for (limitReady: the worker may start before the strings are found; -1 there: no writes).
   */
  outFd: number;
  /** The size of the nodes' chunks (see written-chunks.ts's NodeWriter). */
  nodeChunk: number;
}

export type UsesResult =
  | {
      /** Where the front walk over the edges stopped: its scan, the numbers of the record it cut, the byte. */
      front: ScanState;
      frontHeld: HeldNumbers;
      frontStop: number;
      pending: PendingNode;
      /** File offset of the `]` of nodes. */
      nodesClose: number;
      /** Bytes written to `out`: of the nodes, of the edge chunks the worker took. */
      nodesWritten: number;
      written: number;
    }
  | { problem: string }
  | { aborted: true }
  | { crash: string };
