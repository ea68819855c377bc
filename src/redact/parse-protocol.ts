import type { SnapshotHeader } from '../snapshot/meta.js';
import type { ScanState } from '../snapshot/number-scan.js';
import type { HeldNumbers } from '../snapshot/worker-protocol.js';
import type { PendingNode, SharedUses } from './record-uses.js';

/**
 * Slots of the Int32Array shared between the main thread and the parse worker (uses-worker.ts): the reader's
 * (claims, edgesReady, abort, progressKiB: snapshot/worker-protocol.ts) and two more.
 */
export const USES_CTRL = {
  /** 1 once the worker has taken every node, 2 when it failed (it then posts its result). */
  nodesDone: 5,
  /** How many edge counts are 255 or more, once the nodes are done. */
  largeCounts: 6,
  size: 7,
} as const;

export interface UsesInput {
  /** The main thread's descriptor of the snapshot. */
  fd: number;
  ctrl: SharedArrayBuffer;
  /** Float64: the edges' chunk plan (start, end, chunk size, chunk count), once edgesReady. */
  offsets: SharedArrayBuffer;
  /** File offset just after the `[` of nodes. */
  nodesStart: number;
  header: SnapshotHeader;
  /** namedStrings() of the strings. */
  named: Uint8Array;
  memory: SharedUses;
  bufferSize: number;
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
    }
  | { problem: string }
  | { aborted: true }
  | { crash: string };
