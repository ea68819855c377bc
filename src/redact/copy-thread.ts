import { readSync, writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

// The worker's whole program: copies bytes [from, to) of one file to the same offsets of another.
const COPY_SOURCE = `
const { readSync, writeSync } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const { inFd, outFd, from, to } = workerData;
const buf = Buffer.allocUnsafe(4 << 20);
try {
  for (let pos = from; pos < to; ) {
    const got = readSync(inFd, buf, 0, Math.min(buf.length, to - pos), pos);
    if (got === 0) throw new Error('the snapshot got shorter while it was being read');
    for (let off = 0; off < got; ) off += writeSync(outFd, buf, off, got - off, pos + off);
    pos += got;
  }
  parentPort.postMessage(null);
} catch (err) {
  parentPort.postMessage(err.message);
}
`;

/**
 * Copies bytes [from, to) of `inFd` to the same offsets of `outFd` on a worker thread (the sections the
 * redactor keeps as they are: the copy overlaps with working out the strings' uses). Falls back to this thread
 * when no worker can start. Resolves when the copy is complete; `stop()` ends it early.
 */
export function copyInBackground(
  inFd: number,
  outFd: number,
  from: number,
  to: number,
): { done: Promise<void>; stop(): Promise<void> } {
  let worker: Worker;
  try {
    worker = new Worker(COPY_SOURCE, { eval: true, workerData: { inFd, outFd, from, to } });
  } catch {
    return { done: Promise.resolve().then(() => copyHere(inFd, outFd, from, to)), stop: async () => {} };
  }
  const done = new Promise<void>((resolve, reject) => {
    worker.once('message', (problem: string | null) => (problem === null ? resolve() : reject(new Error(problem))));
    worker.once('error', reject);
    worker.once('exit', () => reject(new Error('the copy thread stopped')));
  });
  // a rejection nobody awaits yet (the caller awaits after its own work) must not end the process
  done.catch(() => {});
  return {
    done: done.finally(() => worker.terminate()),
    stop: async () => {
      await worker.terminate();
    },
  };
}

function copyHere(inFd: number, outFd: number, from: number, to: number): void {
  const buf = Buffer.allocUnsafe(4 << 20);
  for (let pos = from; pos < to; ) {
    const got = readSync(inFd, buf, 0, Math.min(buf.length, to - pos), pos);
    if (got === 0) throw new Error('the snapshot got shorter while it was being read');
    for (let off = 0; off < got; ) off += writeSync(outFd, buf, off, got - off, pos + off);
    pos += got;
  }
}
