import { existsSync, fsyncSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CTRL, SLOT_BYTES, SLOTS, type WriteWorkerInput, type WriteWorkerResult } from './write-protocol.js';

// run from TypeScript sources (tests), the worker comes from the build in dist/
const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('../../dist/redact/write-worker.js', import.meta.url)
  : new URL('./write-worker.js', import.meta.url);

/** Where the redacted copy's bytes go: positioned writes to the temporary file, then `finish` makes it durable. */
export interface OutputWriter {
  /** Writes `bytes` at file offset `pos`; the caller may reuse them as soon as it returns. */
  write(bytes: Uint8Array, pos: number): void;
  /** Waits until every byte handed over is in the file (before the file is cut). */
  drain(): void;
  /** Every byte is handed over: returns once they are in the file and synced to disk. */
  finish(): Promise<void>;
  /** On failure: returns once nothing writes to the file any more. */
  stop(): Promise<void>;
}

/** Writes on the calling thread; fsync at the end. */
export class DirectWriter implements OutputWriter {
  constructor(private readonly fd: number) {}

  write(bytes: Uint8Array, pos: number): void {
    for (let off = 0; off < bytes.length; ) off += writeSync(this.fd, bytes, off, bytes.length - off, pos + off);
  }

  drain(): void {}

  async finish(): Promise<void> {
    fsyncSync(this.fd);
  }

  async stop(): Promise<void> {}
}

/**
 * Hands the bytes to a writing thread (write-worker.ts) through a ring of shared slots: the writes' system time
 * and the wait for the disk overlap the main thread's parsing. Blocks only when every slot is still to be written.
 */
export class ThreadWriter implements OutputWriter {
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(CTRL.size * 4));
  private readonly ring = new Uint8Array(new SharedArrayBuffer(SLOTS * SLOT_BYTES));
  private readonly slots = new Float64Array(new SharedArrayBuffer(SLOTS * 16));
  private filled = 0;
  private readonly worker: Worker;
  private readonly result: Promise<WriteWorkerResult>;

  private constructor(fd: number) {
    const input: WriteWorkerInput = {
      fd,
      ctrl: this.ctrl.buffer as SharedArrayBuffer,
      ring: this.ring.buffer as SharedArrayBuffer,
      slots: this.slots.buffer as SharedArrayBuffer,
    };
    const worker = new Worker(WORKER_URL, { workerData: input });
    this.worker = worker;
    this.result = new Promise((resolve) => {
      worker.once('message', (m: WriteWorkerResult) => resolve(m));
      worker.once('error', (e) => resolve({ error: e.message }));
      worker.once('exit', (code) => resolve({ error: `the writing thread exited with code ${code}` }));
    });
  }

  /** A writer for `fd` with its thread running, or null when there is none to start (then write directly). */
  static async start(fd: number): Promise<ThreadWriter | null> {
    if (!existsSync(fileURLToPath(WORKER_URL))) return null;
    const writer = new ThreadWriter(fd);
    const online = await Promise.race([
      new Promise<boolean>((resolve) => writer.worker.once('online', () => resolve(true))),
      writer.result.then(() => false),
    ]);
    if (online) return writer;
    await writer.worker.terminate();
    return null;
  }

  write(bytes: Uint8Array, pos: number): void {
    for (let off = 0; off < bytes.length; ) {
      this.waitUntil(SLOTS - 1);
      const k = this.filled % SLOTS;
      const n = Math.min(SLOT_BYTES, bytes.length - off);
      this.ring.set(bytes.subarray(off, off + n), k * SLOT_BYTES);
      this.slots[2 * k] = pos + off;
      this.slots[2 * k + 1] = n;
      Atomics.store(this.ctrl, CTRL.filled, ++this.filled);
      Atomics.notify(this.ctrl, CTRL.filled);
      off += n;
    }
  }

  drain(): void {
    this.waitUntil(0);
  }

  async finish(): Promise<void> {
    this.signalDone();
    const result = await this.result;
    await this.worker.terminate();
    if ('error' in result) throw new Error(result.error);
  }

  async stop(): Promise<void> {
    this.signalDone();
    await this.worker.terminate();
  }

  /** Waits until at most `pending` filled slots are still to be written. */
  private waitUntil(pending: number): void {
    for (;;) {
      const written = Atomics.load(this.ctrl, CTRL.written);
      if (Atomics.load(this.ctrl, CTRL.failed) === 1) throw new Error('the writing thread failed');
      if (this.filled - written <= pending) return;
      Atomics.wait(this.ctrl, CTRL.written, written);
    }
  }

  private signalDone(): void {
    Atomics.store(this.ctrl, CTRL.done, 1);
    Atomics.notify(this.ctrl, CTRL.filled);
  }
}
