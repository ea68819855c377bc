import { fdatasync } from 'node:fs';

/**
 * fdatasyncs of the redacted copy on libuv's thread pool while the parse threads write it (they write the front
 * as they read it: written-chunks.ts), one each time `every` more bytes are read: the disk writes while the
 * parsing runs, and the final fsync has little left to do. Nothing waits for them until `settle`, which must come
 * before that fsync (a sync's error is reported once, to whichever call comes first) and before the descriptor
 * is closed.
 */
export class BackgroundSyncs {
  private readonly pending: Promise<void>[] = [];
  private failure: Error | null = null;
  private next: number;
  /** Syncs started so far. */
  started = 0;

  constructor(
    private readonly fd: number,
    private readonly every: number,
    /** Where the counting starts (the first sync comes `every` bytes after it). */
    from = 0,
  ) {
    this.next = from + every;
  }

  /** `bytes` of the file are read (and written) so far (or the file is written up to offset `bytes`). */
  reached(bytes: number): void {
    if (bytes < this.next) return;
    this.next = bytes + this.every;
    this.started++;
    this.pending.push(
      new Promise<void>((resolve) =>
        fdatasync(this.fd, (e) => {
          this.failure ??= e;
          resolve();
        }),
      ),
    );
  }

  /** Waits for every sync started; throws the first one's error. */
  async settle(): Promise<void> {
    await Promise.all(this.pending);
    this.pending.length = 0;
    if (this.failure) throw this.failure;
  }
}
