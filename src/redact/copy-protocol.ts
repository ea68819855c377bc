/** Slots of the Int32Array shared between the main thread and the copy worker (copy-worker.ts). */
export const COPY_CTRL = {
  /** Set to 1 by the main thread: the worker stops before its next chunk. */
  stop: 0,
  /** MiB copied so far, for progress. */
  copiedMiB: 1,
  size: 2,
} as const;

export interface CopyInput {
  ctrl: SharedArrayBuffer;
  /** The main thread's descriptors of the snapshot and of the temporary copy. */
  inFd: number;
  outFd: number;
  /** The byte range copied, to the same offsets. */
  from: number;
  to: number;
  /** Bytes written between two background fdatasyncs. */
  syncEvery: number;
}

export type CopyResult = { copied: number } | { stopped: true } | { failed: string };
