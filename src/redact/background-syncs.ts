import { statfsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/** The sync thread's control words (Int32Array indices). */
export const SYNC = { ASKED: 0, STOP: 1, GEN: 2 } as const;

// run from TypeScript sources (tests), the thread comes from the build in dist/
const SYNC_WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('../../dist/redact/sync-worker.js', import.meta.url)
  : new URL('./sync-worker.js', import.meta.url);

/** statfs's f_type of tmpfs: its files are memory, an fdatasync writes nothing anywhere. */
const TMPFS_MAGIC = 0x01021994;

/** Whether files in `dir` live on a disk (anything but tmpfs), i.e. worth pushing out while they are written. */
export function onDisk(dir: string): boolean {
  try {
    return statfsSync(dir).type !== TMPFS_MAGIC;
  } catch {
    return true;
  }
}

/**
 * fdatasyncs of the redacted copy while it is written (the parse threads write the front as they read it:
 * written-chunks.ts; the strings section follows: strings-section.ts), one each time `every` more bytes are
 * written, so the disk writes all along and the final fsync has little left to do. They run on a thread of their
 * own (sync-worker.ts), one at a time, the next started as soon as the one before ends: on libuv's pool the syncs
 * asked for while the parse threads ran piled up (up to 8 behind the main thread's synchronous parse, taking the
 * pool's 4 threads from the strings section's writes). Nothing waits for them until `settle`, which must come
 * before the final fsync (a sync's error is reported once, to whichever call comes first) and before the
 * descriptor is closed. Without `thread` (a copy on tmpfs) no sync is made.
 */
export class BackgroundSyncs {
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(12));
  private readonly worker: Worker | null = null;
  private readonly ended: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  private next: number;
  private every: number;
  /** Syncs asked for so far. */
  started = 0;

  constructor(fd: number, every: number, opts: { thread?: boolean; script?: URL } = {}) {
    this.every = every;
    this.next = every;
    if (opts.thread === false) return;
    let worker: Worker;
    try {
      worker = new Worker(opts.script ?? SYNC_WORKER_URL, { workerData: { fd, ctrl: this.ctrl.buffer } });
    } catch {
      return;
    }
    worker.on('message', (m: { message: string; code?: string }) => {
      this.failure ??= Object.assign(new Error(m.message), { code: m.code });
    });
    // a thread that could not run leaves the work to the final fsync
    worker.on('error', () => {});
    this.ended = new Promise((resolve) => worker.once('exit', () => resolve()));
    this.worker = worker;
  }

  /** Counts from file offset `from` on, a sync every `every` bytes written past it (the strings section). */
  countFrom(from: number, every: number): void {
    this.every = every;
    this.next = from + every;
  }

  /** `bytes` of the file are read (and written) so far, or the file is written up to offset `bytes`. */
  reached(bytes: number): void {
    if (bytes < this.next) return;
    this.next = bytes + this.every;
    this.started++;
    if (!this.worker) return;
    Atomics.add(this.ctrl, SYNC.ASKED, 1);
    this.wake();
  }

  /** Stops the thread (a sync under way ends first; those asked for and not begun are the final fsync's); throws the first sync's error. */
  async settle(): Promise<void> {
    if (this.worker) {
      Atomics.store(this.ctrl, SYNC.STOP, 1);
      this.wake();
      await this.ended;
    }
    if (this.failure) throw this.failure;
  }

  private wake(): void {
    Atomics.add(this.ctrl, SYNC.GEN, 1);
    Atomics.notify(this.ctrl, SYNC.GEN);
  }
}
