import { existsSync, lstatSync, renameSync, unlinkSync } from 'node:fs';
import { runtimeError, usageError } from '../errors.js';

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * The life of a dump's temporary file, whoever writes it (the target over the inspector or the guard's socket, or
 * heapwatch streaming): writing → finished (checked, closed) → committed. Until committed, whatever ends the
 * process removes the temp (an error, Ctrl-C's detach while writing, process.exit), so a dump is complete under its
 * final name or absent, and no temp is left behind.
 */
export class PendingDump {
  private state: 'writing' | 'finished' | 'committed' = 'writing';
  private readonly removeAtExit = (): void => this.remove();

  constructor(
    readonly tempPath: string,
    readonly output: string,
  ) {
    process.on('exit', this.removeAtExit);
  }

  /** Removes the temp unless it was committed. */
  remove(): void {
    if (this.state === 'committed') return;
    try {
      unlinkSync(this.tempPath);
    } catch {}
  }

  /** For a detach: a file still being written is gone; a finished one waits for commit() or the exit. */
  removeIfWriting(): void {
    if (this.state === 'writing') this.remove();
  }

  /** Written and checked. */
  finish(): void {
    this.state = 'finished';
  }

  /** Gives up: the temp is removed now. */
  abandon(): void {
    this.remove();
    process.off('exit', this.removeAtExit);
  }

  /** Gives the finished file its final name (synchronously, so no signal can split the two). */
  readonly commit = (): void => {
    if (this.state !== 'finished') throw runtimeError('the dump was cancelled', 'CANCELLED');
    // a file (or a link someone planted) under the name since we started: never replaced
    if (existsSync(this.output) || isSymlink(this.output)) {
      this.abandon();
      throw usageError(`${this.output} appeared while dumping; heapwatch does not overwrite dumps`, 'EXISTS');
    }
    renameSync(this.tempPath, this.output);
    this.state = 'committed';
    process.off('exit', this.removeAtExit);
  };
}
