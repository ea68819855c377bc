import type { EventEmitter } from 'node:events';
import { closeSync, existsSync, fstatSync, readSync, statfsSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { HeapwatchError, runtimeError, usageError } from '../errors.js';
import { formatBytes } from '../format.js';
import { SNAPSHOT_BYTES_PER_HEAP_BYTE } from '../guard/disk-space.cjs';
import { createTemp, type TempFile } from '../guard/safe-file.cjs';
import { describeHeadroom, type Headroom, measureHeadroom } from './headroom.js';
import { PendingDump } from './pending-dump.js';
import { processListeningSockets } from './proc.js';
import type { Session } from './session.js';

export interface DumpProgress {
  /**
   * snapshot: V8 is walking the heap (fraction = nodes done/total when streaming; undefined when the target writes
   * the file itself); write: bytes are reaching the file.
   */
  phase: 'snapshot' | 'write';
  fraction?: number;
  bytes: number;
}

export interface DumpOptions {
  /** Destination file; it must not exist yet. */
  output: string;
  /** Collect garbage first (jmap -dump:live). */
  gc?: boolean;
  /** Dump even when the headroom check says the target may not survive it. */
  force?: boolean;
  /** Stream the snapshot over the protocol even when the target could write the file itself. */
  stream?: boolean;
  onHeadroom?: (headroom: Headroom, message: string) => void;
  onProgress?: (progress: DumpProgress) => void;
  /** Said when heapwatch streams because the target writing its own file could fill the disk. */
  onNotice?: (message: string) => void;
  /**
   * Leave the checked temporary file for the caller's `commit()` (the dump command renames it only after the
   * session is closed, so a Ctrl-C can never leave both a failure and a file). Default: renamed before returning.
   */
  deferCommit?: boolean;
}

export interface DumpResult {
  file: string;
  bytes: number;
  /** target-wrote: v8.writeHeapSnapshot in the target; streamed: HeapProfiler chunks written by heapwatch. */
  method: 'target-wrote' | 'streamed';
  durationMs: number;
  headroom: Headroom;
  /** With deferCommit: gives the finished file its final name (synchronously). Otherwise already done. */
  commit(): void;
}

const BUILTIN = `(n) => (process.getBuiltinModule ? process.getBuiltinModule(n) : require(n))`;

/** Forces a full garbage collection in the target. */
export async function collectGarbage(session: Session): Promise<void> {
  await session.send('HeapProfiler.collectGarbage');
}

/** The target's used heap, in bytes. */
export async function heapUsed(session: Session): Promise<number> {
  return session.evaluate<number>(`(${BUILTIN})('v8').getHeapStatistics().used_heap_size`);
}

/**
 * Is /proc/<pid> the target itself? For a pid target yes; for host:port/ws the reported pid may belong to another
 * pid namespace (a container), so it counts only if that process holds the inspector's listening port.
 */
function isOurPid(session: Session): boolean {
  if (session.location.pid !== undefined) return true;
  try {
    return processListeningSockets(session.pid).some((s) => s.port === session.location.port);
  } catch {
    return false;
  }
}

/** heapdump-<pid>-<yyyymmdd-hhmmss>.heapsnapshot in the current directory. */
export function defaultDumpName(pid: number, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `heapdump-${pid}-${stamp}.heapsnapshot`;
}

/** A fresh random temp file beside the destination (0600, exclusive, no symlink followed). */
function createTempFile(output: string): TempFile {
  try {
    return createTemp(output);
  } catch (err) {
    throw runtimeError(`cannot create a file in ${dirname(output)}: ${(err as Error).message}`, 'IO');
  }
}

/** A complete snapshot is one JSON object starting with {"snapshot": and ending with }. */
export function looksComplete(fd: number): boolean {
  const size = fstatSync(fd).size;
  if (size < 16) return false;
  const head = Buffer.alloc(16);
  readSync(fd, head, 0, 16, 0);
  const tail = Buffer.alloc(Math.min(64, size));
  readSync(fd, tail, 0, tail.length, size - tail.length);
  return /^\{\s*"snapshot"/.test(head.toString('latin1')) && tail.toString('latin1').trimEnd().endsWith('}');
}

/**
 * Why the target should not write its own snapshot into `dir`, or null: V8's writeHeapSnapshot keeps its file
 * open when the disk fills, so the space stays taken until the target exits. Streamed, heapwatch stops writing
 * and removes the file instead.
 */
export function diskTooSmallForTarget(dir: string, heapUsed: number): string | null {
  const needed = heapUsed * SNAPSHOT_BYTES_PER_HEAP_BYTE;
  let free: number;
  try {
    const s = statfsSync(dir);
    free = s.bavail * s.bsize;
  } catch {
    return null;
  }
  if (free >= needed) return null;
  return (
    `${formatBytes(free)} free on ${dir}, a snapshot of this heap may need about ${formatBytes(needed)}: ` +
    'streaming it instead of letting the target write it (a target that fills the disk keeps the space until it exits)'
  );
}

/** Polls the growing file so the user sees bytes arriving while the target writes. */
export function watchSize(fd: number, onProgress: DumpOptions['onProgress']): () => void {
  if (!onProgress) return () => {};
  const timer = setInterval(() => {
    try {
      const bytes = fstatSync(fd).size;
      // nothing written yet: V8 is still building the snapshot graph (no node count reaches us in this mode)
      onProgress({ phase: bytes === 0 ? 'snapshot' : 'write', bytes });
    } catch {}
  }, 250);
  return () => clearInterval(timer);
}

/**
 * Has the target (same machine, same file system view, allowed to write) write the snapshot into our temp file.
 * In one synchronous evaluation it opens the file by name (no symlink) and checks it is ours, then has V8 write
 * through the descriptor's /proc link: if heapwatch removed the name meanwhile (Ctrl-C), the bytes go to the
 * removed file and vanish with it; nothing can recreate the name after heapwatch is gone.
 */
async function targetWrites(session: Session, tmp: TempFile, options: DumpOptions): Promise<boolean> {
  const st = fstatSync(tmp.fd);
  const stopWatching = watchSize(tmp.fd, options.onProgress);
  try {
    // The target's event loop is stalled for the whole write; no timeout, a big heap takes minutes.
    const verdict = await session.evaluate<string>(
      `(() => {
  const builtin = ${BUILTIN};
  const fs = builtin('fs'), v8 = builtin('v8');
  const file = ${JSON.stringify(tmp.path)};
  let fd;
  try { fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK); }
  catch (e) { return e.code === 'EACCES' || e.code === 'EPERM' ? 'denied' : 'unseen'; }
  try {
    const st = fs.fstatSync(fd);
    if (st.ino !== ${st.ino} || st.dev !== ${st.dev}) return 'unseen';
    v8.writeHeapSnapshot(process.platform === 'linux' ? '/proc/self/fd/' + fd : file);
    return 'ok';
  } finally { fs.closeSync(fd); }
})()`,
    );
    return verdict === 'ok';
  } finally {
    stopWatching();
  }
}

/** Streams HeapProfiler.addHeapSnapshotChunk straight to `fd`: heapwatch never holds more than one chunk. */
async function streamToFile(session: Session, fd: number, options: DumpOptions): Promise<void> {
  const client = session.client as unknown as EventEmitter;
  let bytes = 0;
  let writeError: Error | undefined;
  const onChunk = ({ chunk }: { chunk: string }): void => {
    if (writeError) return;
    try {
      const buf = Buffer.from(chunk, 'utf8');
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      bytes += buf.length;
      options.onProgress?.({ phase: 'write', bytes });
    } catch (err) {
      writeError = err as Error;
    }
  };
  const onProgress = ({ done, total }: { done: number; total: number }): void => {
    options.onProgress?.({ phase: 'snapshot', fraction: total > 0 ? done / total : 0, bytes });
  };
  client.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  client.on('HeapProfiler.reportHeapSnapshotProgress', onProgress);
  try {
    await session.send('HeapProfiler.takeHeapSnapshot', { reportProgress: true });
  } finally {
    client.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
    client.off('HeapProfiler.reportHeapSnapshotProgress', onProgress);
  }
  if (writeError) throw runtimeError(`cannot write the snapshot: ${writeError.message}`, 'IO');
}

/**
 * jmap -dump for Node: checks headroom, then the target writes its own snapshot next to the destination
 * (or heapwatch streams it), and the file appears under its final name, mode 0600, only once complete.
 */
export async function dumpHeap(session: Session, options: DumpOptions): Promise<DumpResult> {
  const output = resolve(options.output);
  if (existsSync(output)) throw usageError(`${output} already exists; heapwatch does not overwrite dumps`, 'EXISTS');
  const started = Date.now();
  const pid = session.pid;
  const sameMachine = isOurPid(session);

  const used = await heapUsed(session);
  const headroom = measureHeadroom(used, sameMachine ? pid : undefined);
  const message = describeHeadroom(headroom, pid);
  options.onHeadroom?.(headroom, message);
  if (!headroom.fits && !options.force) {
    throw runtimeError(
      `${message}; refusing to dump, it would likely get the target killed (heapwatch dump --force dumps anyway)`,
      'NO_HEADROOM',
    );
  }

  if (options.gc) await collectGarbage(session);

  let stream = options.stream === true || !sameMachine;
  if (!stream) {
    const tooSmall = diskTooSmallForTarget(dirname(output), used);
    if (tooSmall) {
      options.onNotice?.(tooSmall);
      stream = true;
    }
  }

  const tmp = createTempFile(output);
  // a target still writing after a Ctrl-C writes to the removed file (see targetWrites)
  const pending = new PendingDump(tmp.path, output);
  session.onDetach(() => pending.removeIfWriting());
  let method: DumpResult['method'] = 'streamed';
  try {
    if (!stream && (await targetWrites(session, tmp, options))) {
      method = 'target-wrote';
    } else {
      await streamToFile(session, tmp.fd, options);
    }
    if (!looksComplete(tmp.fd)) throw runtimeError('the snapshot the target produced is incomplete', 'INCOMPLETE');
    const bytes = fstatSync(tmp.fd).size;
    closeSync(tmp.fd);
    tmp.fd = -1;
    if (!session.attached) throw runtimeError('the dump was cancelled', 'CANCELLED');
    pending.finish();
    const result = { file: output, bytes, method, durationMs: Date.now() - started, headroom, commit: pending.commit };
    if (!options.deferCommit) pending.commit();
    return result;
  } catch (err) {
    if (tmp.fd >= 0) closeSync(tmp.fd);
    pending.abandon();
    if (err instanceof HeapwatchError) throw err;
    throw runtimeError(`dump failed: ${(err as Error).message}`, 'IO');
  }
}
