import { availableParallelism } from 'node:os';
import type { BackgroundSyncs } from './background-syncs.js';
import type { FrontCopy } from './front-copy.js';
import { notOnePass, type OnePass, progressOf, readFront } from './one-pass.js';
import {
  type NodesWorker,
  type ParallelOptions,
  publishLimit,
  type RunningWorker,
  readFrontParallel,
  startNodesEarly,
  stopNodesWorker,
  type WrittenRange,
} from './parallel-pass.js';
import { findStringsOpen, readTrailingStrings } from './trailing-strings.js';
import type { FrontOutput } from './written-chunks.js';

export interface ThreadOptions extends ParallelOptions {
  /** Parse the nodes and edges on two threads (parallel-pass.ts); default: when the process may use two CPUs. */
  parallel?: boolean;
}

/** Where the parse worker is, for a signal handler to stop it. */
export type RunningThreads = RunningWorker;

/**
 * The one-pass way (one-pass.ts) on two threads: the parse worker takes the nodes (started before the strings
 * are read: parallel-pass.ts) while this thread reads the strings, then both take the edges; each thread writes
 * the bytes it parses to the same offsets of the output (`outFd`), so the front is read once. `written` lists the
 * ranges so written: the caller copies the rest of the front (the header, the few bytes between the arrays, and
 * what follows the edges up to the strings) with `copy`. Without `written` (the worker failed, or one CPU: this
 * thread parsed alone, copying as it went with `copy`), the caller copies what `copy` has not (all of it, over
 * whatever the worker wrote, when it copied nothing). `syncs` hears of the bytes read, to push the output to the
 * disk as it is written. Null when the file is not for the one-pass way (the threads are stopped; the caller
 * empties the output).
 */
export async function readOnePassCopied(
  fd: number,
  size: number,
  copy: FrontCopy,
  outFd: number,
  onFraction: (fraction: number) => void,
  running: RunningThreads,
  syncs: BackgroundSyncs,
  opts: ThreadOptions = {},
): Promise<(OnePass & { written?: WrittenRange[] }) | null> {
  const progress = progressOf(size, onFraction);
  let read = 0;
  const onBytes = (bytes: number) => {
    read += bytes;
    syncs.reached(read);
    progress(bytes);
  };
  // a second parse thread only adds work where there is no second CPU to run it
  const two = opts.parallel ?? availableParallelism() >= 2;
  let early: NodesWorker | null = null;
  try {
    // the worker starts while this thread looks for the strings, and parses the nodes while it reads them
    early = two ? startNodesEarly(fd, size, opts.workerScript, outFd) : null;
    running.worker = early;
    const open = findStringsOpen(fd, size);
    if (open < 0) return null;
    const out: FrontOutput = { fd: outFd, limit: open + 1 };
    if (early && !publishLimit(early, open, out)) {
      await stopNodesWorker(early);
      early = null;
    }
    const known = readTrailingStrings(fd, size, open, onBytes);
    if (!known) return null;
    const handed = early ?? undefined;
    early = null; // readFrontParallel stops it
    const parallel = two
      ? await readFrontParallel(fd, size, known, onBytes, { ...opts, running, frontCopy: copy }, handed, out)
      : 'no worker';
    running.worker = null;
    // this thread alone, copying as it parses (over anything a failed worker wrote: copy starts at 0)
    return parallel === 'no worker' ? readFront(fd, size, known, copy, onBytes) : parallel;
  } catch (e) {
    if (notOnePass(e)) return null;
    throw e;
  } finally {
    if (early) await stopNodesWorker(early);
    running.worker = null;
  }
}
