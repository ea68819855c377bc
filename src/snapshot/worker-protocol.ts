import type { CheckResult, EdgeOutput } from './finish.js';
import type { FormatProblem } from './format-error.js';
import type { BigSelfSizes } from './number-array.js';
import type { ScanState } from './number-scan.js';
import type { ScannerKind } from './number-scanner.js';
import type { SnapshotMeta } from './snapshot.js';

/** Slots of the shared Int32Array between the reader and its parse worker. */
export const CTRL = {
  /** Edge chunk claims (see number-array.ts). */
  claims: 0,
  /** Set to 1 when offsets[0] (nodes body start) is known. */
  nodesReady: 1,
  /** Set to 1 when offsets[1..4] (edges body, chunk plan) are known. */
  edgesReady: 2,
  /** Set to 1 by the reader to make the worker give up. */
  abort: 3,
  /** KiB parsed by the worker, for progress. */
  progressKiB: 4,
  size: 5,
} as const;

export interface WorkerInput {
  file: string;
  ctrl: SharedArrayBuffer;
  /** Float64: nodes body start, edges body start, edges `]`, chunk size, chunk count. */
  offsets: SharedArrayBuffer;
  nodes: SharedArrayBuffer;
  /** A byte per node, its type (see HeapSnapshot.nodeTypes). */
  nodeTypes: SharedArrayBuffer;
  /** How many numbers `edges` holds (its records go straight into edgeOut). */
  edgeNumbers: number;
  /** nodeCount + 1 Uint32 for the firstEdge CSR, filled by the worker. */
  firstEdge: SharedArrayBuffer;
  /** Where converted edges go (arrays over shared memory). */
  edgeOut: EdgeOutput;
  meta: SnapshotMeta;
  bufferSize: number;
  scanner: ScannerKind;
}

export type WorkerResult =
  | {
      front: ScanState;
      /** The numbers of the edge record the front scan cut. */
      frontHeld: HeldNumbers;
      frontStop: number;
      /** NodeIndexer's check of all nodes (their records are stored, see storedNodes). */
      nodesCheck: CheckResult;
      /** Self sizes over 2^32-1, when there are any. */
      bigSelfSizes: BigSelfSizes | null;
      /** convertEdges over the edge records the worker parsed whole: [0, floor(front.index / edge fields)). */
      edgesCheck: CheckResult;
    }
  | { problem: FormatProblem }
  | { aborted: true }
  | { crash: string };

/** The first numbers of a record cut by a scan's end, or its last ones by a backward scan's start. */
export interface HeldNumbers {
  values: Uint32Array;
  /** Index in the array of values[0]. */
  from: number;
}

/** Waits until ctrl[slot] is set; false when the reader aborted instead. */
export function waitFor(ctrl: Int32Array, slot: number): boolean {
  for (;;) {
    if (Atomics.load(ctrl, CTRL.abort) !== 0) return false;
    if (Atomics.load(ctrl, slot) !== 0) return true;
    Atomics.wait(ctrl, slot, 0, 50);
  }
}

/** Sets ctrl[slot] and wakes the worker. */
export function signal(ctrl: Int32Array, slot: number): void {
  Atomics.store(ctrl, slot, 1);
  Atomics.notify(ctrl, slot);
}
