import { availableParallelism } from 'node:os';
import { FrontCopier } from './front-copier.js';
import type { FrontCopy } from './front-copy.js';
import { notOnePass, type OnePass, progressOf, readFront } from './one-pass.js';
import {
  type NodesWorker,
  type ParallelOptions,
  readFrontParallel,
  startNodesEarly,
  stopNodesWorker,
} from './parallel-pass.js';
import { findStringsOpen, readTrailingStrings } from './trailing-strings.js';

export interface ThreadOptions extends ParallelOptions {
  /** Parse the nodes and edges on two threads (parallel-pass.ts); default: when the process may use two CPUs. */
  parallel?: boolean;
  /** Script of the copy worker (tests give a broken one). */
  copyWorkerScript?: URL;
}

/** Where the threads of a redaction are, for a signal handler to stop them. */
export interface RunningThreads {
  copier: FrontCopier | null;
}

/**
 * The one-pass way (one-pass.ts) with the front copied by a worker thread (front-copier.ts) from the moment the
 * strings' key is found, while this thread reads the strings and the parse worker the nodes (parallel-pass.ts,
 * started before the strings are read), then both the edges: the copy and its
 * writes to the disk overlap the parsing, and go on while the caller writes the strings. The caller must call
 * `frontDone` before the copy is finished: it waits for the worker; when the worker failed, `copy` still starts
 * at 0 and the caller's copy.fillTo writes the front on this thread (over what the worker wrote).
 * Null when the file is not for the one-pass way (the copy stopped; the caller empties the output).
 */
export async function readOnePassCopied(
  fd: number,
  size: number,
  copy: FrontCopy,
  outFd: number,
  onFraction: (fraction: number) => void,
  running: RunningThreads,
  opts: ThreadOptions = {},
): Promise<(OnePass & { frontDone: () => Promise<void> }) | null> {
  const onBytes = progressOf(size, onFraction);
  const open = findStringsOpen(fd, size);
  if (open < 0) return null;
  const copier = new FrontCopier(fd, outFd, open + 1, opts.copyWorkerScript);
  running.copier = copier;
  const stop = async () => {
    await copier.stop();
    running.copier = null;
  };
  // a second parse thread only adds work where there is no second CPU to run it
  const two = opts.parallel ?? availableParallelism() >= 2;
  let early: NodesWorker | null = null;
  let read: OnePass | null = null;
  try {
    // the nodes are parsed (from the start) while this thread reads the strings
    early = two ? startNodesEarly(fd, size, open, opts.workerScript) : null;
    const known = readTrailingStrings(fd, size, open, onBytes);
    if (known) {
      const handed = early ?? undefined;
      early = null; // readFrontParallel stops it
      const parallel = two ? await readFrontParallel(fd, size, known, onBytes, opts, handed) : 'no worker';
      read = parallel === 'no worker' ? readFront(fd, size, known, null, onBytes) : parallel;
    }
  } catch (e) {
    await stop();
    if (notOnePass(e)) return null;
    throw e;
  } finally {
    if (early) await stopNodesWorker(early);
  }
  if (!read) {
    await stop();
    return null;
  }
  const frontDone = async () => {
    try {
      await copier.done();
      copy.copiedElsewhere(open + 1);
    } catch {
      // the copy thread failed: the caller copies the front on this thread
    }
    await stop();
  };
  return { ...read, frontDone };
}
