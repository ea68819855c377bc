/** The shared memory between the redactor's main thread and its writing thread (output-writer.ts, write-worker.ts). */

/** Slots of the ring the main thread fills and the writing thread empties, and the bytes each holds at most. */
export const SLOTS = 8;
export const SLOT_BYTES = 4 << 20;

/** Int32 words of the control array. */
export const CTRL = {
  /** Slots filled (main thread) and written (writing thread) so far: slot k is k % SLOTS. */
  filled: 0,
  written: 1,
  /** Set by the main thread once it has filled its last slot. */
  done: 2,
  /** Set by the writing thread when a write or a sync failed (it stops then). */
  failed: 3,
  size: 4,
} as const;

export interface WriteWorkerInput {
  fd: number;
  ctrl: SharedArrayBuffer;
  /** SLOTS × SLOT_BYTES bytes. */
  ring: SharedArrayBuffer;
  /** Per slot: the file offset its bytes go to, and how many there are (Float64 pairs). */
  slots: SharedArrayBuffer;
}

/** What the writing thread answers once every slot is written and the file is synced. */
export type WriteWorkerResult = { ok: true } | { error: string };
