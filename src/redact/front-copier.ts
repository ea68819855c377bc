import { Worker } from 'node:worker_threads';
import { runtimeError } from '../errors.js';
import { COPY_CTRL, type CopyInput, type CopyResult } from './copy-protocol.js';

// run from TypeScript sources (tests), the worker comes from the build in dist/
const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('../../dist/redact/copy-worker.js', import.meta.url)
  : new URL('./copy-worker.js', import.meta.url);

const SYNC_EVERY = 64 << 20;

/**
 * The front of the snapshot (bytes [0, to): everything before its strings) copied to the same offsets of the
 * output by a worker thread (copy-worker.ts) while this thread parses. `done` waits for the copy; `stop` ends it
 * early (before the output is emptied to start over, or on a failure): the worker must be gone before the
 * descriptors it writes through are closed.
 */
export class FrontCopier {
  private readonly worker: Worker;
  private readonly ctrl: Int32Array;
  private readonly result: Promise<CopyResult>;

  constructor(inFd: number, outFd: number, to: number, script: URL = WORKER_URL) {
    const ctrl = new SharedArrayBuffer(COPY_CTRL.size * 4);
    this.ctrl = new Int32Array(ctrl);
    const input: CopyInput = { ctrl, inFd, outFd, from: 0, to, syncEvery: SYNC_EVERY };
    this.worker = new Worker(script, { workerData: input });
    this.result = new Promise<CopyResult>((resolve) => {
      this.worker.once('message', (m: CopyResult) => resolve(m));
      this.worker.once('error', (e) => resolve({ failed: e.message }));
      this.worker.once('exit', (code) => resolve({ failed: `the copy thread exited with code ${code}` }));
    });
  }

  /** Bytes copied so far (in whole MiB). */
  get copied(): number {
    return Atomics.load(this.ctrl, COPY_CTRL.copiedMiB) * (1 << 20);
  }

  /** Waits until the front is copied; throws when the worker could not copy it. */
  async done(): Promise<void> {
    const result = await this.result;
    await this.worker.terminate();
    if ('copied' in result) return;
    throw runtimeError(`cannot copy the snapshot: ${'failed' in result ? result.failed : 'stopped'}`, 'IO');
  }

  /** Stops the copy and waits for the worker to be gone. */
  async stop(): Promise<void> {
    this.tellStop();
    await this.result;
    await this.worker.terminate();
  }

  /** Tells the worker to stop before its next chunk (from a signal handler, which cannot wait). */
  tellStop(): void {
    Atomics.store(this.ctrl, COPY_CTRL.stop, 1);
  }
}
