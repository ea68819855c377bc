/**
 * The thread that copies the front of a snapshot (every byte before its strings, which redaction leaves as they
 * are) to the redacted copy while the main thread parses, and pushes what it wrote to the disk as it goes
 * (fdatasync on libuv's pool, one at a time, once `syncEvery` more bytes are written): the disk writes while the
 * parsing runs, and the final fsync has little left to do. The descriptors are the main thread's (a thread
 * shares them); it stops when told to (see COPY_CTRL) and says whether it finished.
 */
import { fdatasync, readSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { COPY_CTRL, type CopyInput, type CopyResult } from './copy-protocol.js';

/**
 * Bytes read and written at a time: small enough to stay in the CPU's cache between the read and the write
 * (copying the 577 MB front of the 660 MB bench file took 1.5-1.8 s of system time with 4 MB, 0.7-0.8 s
 * with 256 KB, 0.46 s with 128 KB and 0.53-0.6 s with 64 KB).
 */
const BUFFER = 128 << 10;
/** Bytes copied between two turns of the event loop (where a sync's completion comes in). */
const TURN = 4 << 20;

async function run(input: CopyInput): Promise<CopyResult> {
  const ctrl = new Int32Array(input.ctrl);
  const buf = Buffer.allocUnsafe(BUFFER);
  let syncing: Promise<void> | null = null;
  let synced = input.from;
  let turned = input.from;
  const sync = (mark: number): Promise<void> =>
    new Promise<void>((resolve, reject) => fdatasync(input.outFd, (e) => (e ? reject(e) : resolve()))).then(() => {
      synced = mark;
      syncing = null;
    });
  try {
    for (let pos = input.from; pos < input.to; ) {
      if (Atomics.load(ctrl, COPY_CTRL.stop) !== 0) return { stopped: true };
      const n = readSync(input.inFd, buf, 0, Math.min(BUFFER, input.to - pos), pos);
      if (n === 0) return { failed: 'the snapshot got shorter while it was being read' };
      for (let off = 0; off < n; ) off += writeSync(input.outFd, buf, off, n - off, pos + off);
      pos += n;
      Atomics.store(ctrl, COPY_CTRL.copiedMiB, Math.floor((pos - input.from) / (1 << 20)));
      if (!syncing && pos - synced >= input.syncEvery) syncing = sync(pos);
      // lets the sync's completion in (and keeps the copy from outrunning the disk by more than a sync or two)
      if (syncing && pos - synced >= 2 * input.syncEvery) await syncing;
      else if (pos - turned >= TURN) {
        turned = pos;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    if (syncing) await syncing;
    return { copied: input.to - input.from };
  } catch (e) {
    if (syncing) await (syncing as Promise<void>).catch(() => {});
    return { failed: e instanceof Error ? e.message : String(e) };
  }
}

run(workerData as CopyInput).then((result) => parentPort?.postMessage(result));
