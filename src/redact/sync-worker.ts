import { fdatasyncSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { SYNC } from './background-syncs.js';

/**
 * The redacted copy's sync thread (background-syncs.ts): one fdatasync at a time, the next as soon as the one
 * before has ended and more has been asked for, until told to stop. A failure is posted to the main thread, then
 * the thread ends.
 */
const { fd, ctrl } = workerData as { fd: number; ctrl: SharedArrayBuffer };
const c = new Int32Array(ctrl);
let done = 0;
for (;;) {
  // read before STOP: a stop that comes after this read changes GEN, and the wait below returns at once
  const gen = Atomics.load(c, SYNC.GEN);
  if (Atomics.load(c, SYNC.STOP) !== 0) break;
  const asked = Atomics.load(c, SYNC.ASKED);
  if (asked === done) {
    Atomics.wait(c, SYNC.GEN, gen);
    continue;
  }
  try {
    fdatasyncSync(fd);
  } catch (e) {
    const { message, code } = e as NodeJS.ErrnoException;
    parentPort?.postMessage({ message, code });
    break;
  }
  done = asked;
}
