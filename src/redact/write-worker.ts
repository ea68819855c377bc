/**
 * The redactor's writing thread: writes the slots the main thread fills to the output file (the same descriptor)
 * and has the kernel write them to disk as it goes (fdatasync in the background every SYNC_EVERY bytes), so the
 * final fsync, after the last slot, has little left to wait for, and the writes' system time is not the main
 * thread's. Coordination through shared memory; its one message is its result.
 */
import { fdatasync, fsyncSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { CTRL, SLOT_BYTES, SLOTS, type WriteWorkerInput, type WriteWorkerResult } from './write-protocol.js';

const SYNC_EVERY = 64 << 20;

/** How long the thread waits for a slot before it lets the background sync's callback run (ms). */
const IDLE_WAIT = 5;

async function run(input: WriteWorkerInput): Promise<WriteWorkerResult> {
  const ctrl = new Int32Array(input.ctrl);
  const ring = new Uint8Array(input.ring);
  const slots = new Float64Array(input.slots);
  let written = 0;
  let sinceSync = 0;
  let syncing: Promise<void> | null = null;
  let syncError: Error | null = null;
  for (;;) {
    const filled = Atomics.load(ctrl, CTRL.filled);
    if (filled === written) {
      // the last slot may have been filled between the two loads: look again before stopping
      if (Atomics.load(ctrl, CTRL.done) === 1 && Atomics.load(ctrl, CTRL.filled) === written) break;
      // not Atomics.waitAsync: in Node 20 a notify from a thread busy in synchronous work did not wake it
      if (Atomics.wait(ctrl, CTRL.filled, written, IDLE_WAIT) === 'timed-out') await new Promise(setImmediate);
      continue;
    }
    if (syncError) throw syncError;
    const k = written % SLOTS;
    const pos = slots[2 * k];
    const n = slots[2 * k + 1];
    const bytes = ring.subarray(k * SLOT_BYTES, k * SLOT_BYTES + n);
    for (let off = 0; off < n; ) off += writeSync(input.fd, bytes, off, n - off, pos + off);
    Atomics.store(ctrl, CTRL.written, ++written);
    Atomics.notify(ctrl, CTRL.written);
    sinceSync += n;
    if (sinceSync >= SYNC_EVERY && syncing === null) {
      sinceSync = 0;
      syncing = new Promise((resolve) =>
        fdatasync(input.fd, (e) => {
          if (e) syncError = e;
          syncing = null;
          resolve();
        }),
      );
    }
  }
  if (syncing) await syncing;
  if (syncError) throw syncError;
  fsyncSync(input.fd);
  return { ok: true };
}

run(workerData as WriteWorkerInput).then(
  (result) => parentPort?.postMessage(result),
  (e: Error) => {
    const ctrl = new Int32Array((workerData as WriteWorkerInput).ctrl);
    Atomics.store(ctrl, CTRL.failed, 1);
    Atomics.notify(ctrl, CTRL.written);
    parentPort?.postMessage({ error: e.message } satisfies WriteWorkerResult);
  },
);
