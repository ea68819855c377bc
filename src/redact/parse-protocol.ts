import type { SnapshotHeader } from '../snapshot/meta.js';
import type { ChunkPlan } from '../snapshot/number-array.js';
import type { ScanState } from '../snapshot/number-scan.js';
import type { HeldNumbers } from '../snapshot/worker-protocol.js';
import type { PendingNode, SharedUses } from './record-uses.js';

/**
 * Slots of the Int32Array shared between the main thread and the parse worker (uses-worker.ts): the reader's
 * (claims, edgesReady, abort, progressKiB: snapshot/worker-protocol.ts) and two more.
 */
export const USES_CTRL = {
  /** Node chunk claims (the worker from the front, the main thread from the back: number-array.ts). */
  nodeClaims: 5,
  /** How many edge counts are 255 or more, once countsReady. */
  largeCounts: 6,
  /** Set to 1 by the main thread once both walks over the nodes are joined: every edge count is in. */
  countsReady: 7,
  size: 8,
} as const;

export interface UsesInput {
  /** The main thread's descriptor of the snapshot. */
  fd: number;
  ctrl: SharedArrayBuffer;
  /** Float64: the edges' chunk plan (start, end, chunk size, chunk count), once edgesReady. */
  offsets: SharedArrayBuffer;
  /** The nodes' chunk plan (their body, up to the `]`). */
  nodesPlan: ChunkPlan;
  header: SnapshotHeader;
  /** namedStrings() of the strings. */
  named: Uint8Array;
  memory: SharedUses;
  bufferSize: number;
}

/** The worker's first message, once it has no node chunk left to take: where its walk over the nodes stopped. */
export interface NodesFront {
  nodesFront: ScanState;
  nodesHeld: HeldNumbers;
  nodesStop: number;
  /** Its edge counts: their sum, and how many are 255 or more (from the start of the shared list). */
  total: number;
  largeCount: number;
}

export type UsesResult =
  | {
      /** Where the front walk over the edges stopped: its scan, the numbers of the record it cut, the byte. */
      front: ScanState;
      frontHeld: HeldNumbers;
      frontStop: number;
      pending: PendingNode;
    }
  | { problem: string }
  | { aborted: true }
  | { crash: string };
