import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { HeapwatchError, runtimeError, usageError } from '../errors.js';
import { describeHeadroom, type Headroom, measureHeadroom } from './headroom.js';
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
}

export interface DumpResult {
  file: string;
  bytes: number;
  /** target-wrote: v8.writeHeapSnapshot in the target; streamed: HeapProfiler chunks written by heapwatch. */
  method: 'target-wrote' | 'streamed';
  durationMs: number;
  headroom: Headroom;
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

/** A file we create with mode 0600 next to the destination, so the final rename stays on one file system. */
function createTempFile(output: string): { path: string; fd: number } {
  const path = join(
    dirname(output),
    `.${basename(output)}.heapwatch-${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    return { path, fd: openSync(path, 'wx', 0o600) };
  } catch (err) {
    throw runtimeError(`cannot create ${path}: ${(err as Error).message}`, 'IO');
  }
}

/** A complete snapshot is one JSON object starting with {"snapshot": and ending with }. */
export function looksComplete(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size < 16) return false;
    const head = Buffer.alloc(16);
    readSync(fd, head, 0, 16, 0);
    const tail = Buffer.alloc(Math.min(64, size));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    return /^\{\s*"snapshot"/.test(head.toString('latin1')) && tail.toString('latin1').trimEnd().endsWith('}');
  } finally {
    closeSync(fd);
  }
}

/** Polls the growing file so the user sees bytes arriving while the target writes. */
export function watchSize(path: string, onProgress: DumpOptions['onProgress']): () => void {
  if (!onProgress) return () => {};
  const timer = setInterval(() => {
    try {
      const bytes = statSync(path).size;
      // nothing written yet: V8 is still building the snapshot graph (no node count reaches us in this mode)
      onProgress({ phase: bytes === 0 ? 'snapshot' : 'write', bytes });
    } catch {}
  }, 250);
  return () => clearInterval(timer);
}

/** Has the target (same machine, same file system view, allowed to write) write the snapshot into `tmp`. */
async function targetWrites(session: Session, tmp: string, fd: number, options: DumpOptions): Promise<boolean> {
  const st = fstatSync(fd);
  const verdict = await session.evaluate<string>(
    `(() => {
  const builtin = ${BUILTIN};
  const fs = builtin('fs'), v8 = builtin('v8');
  const file = ${JSON.stringify(tmp)};
  let st;
  try { st = fs.statSync(file); } catch { return 'unseen'; }
  if (st.ino !== ${st.ino} || st.dev !== ${st.dev}) return 'unseen';
  try { fs.accessSync(file, fs.constants.W_OK); } catch { return 'denied'; }
  return 'ok';
})()`,
  );
  if (verdict !== 'ok') return false;
  const stopWatching = watchSize(tmp, options.onProgress);
  try {
    // The target's event loop is stalled for the whole write; no timeout, a big heap takes minutes.
    await session.evaluate(`(${BUILTIN})('v8').writeHeapSnapshot(${JSON.stringify(tmp)}), true`);
  } finally {
    stopWatching();
  }
  return true;
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

  const tmp = createTempFile(output);
  // Ctrl-C while the target writes: the target keeps its fd, but the name goes now and the space when it is done.
  session.onDetach(() => {
    try {
      unlinkSync(tmp.path);
    } catch {}
  });
  let method: DumpResult['method'] = 'streamed';
  try {
    if (!options.stream && sameMachine && (await targetWrites(session, tmp.path, tmp.fd, options))) {
      method = 'target-wrote';
    } else {
      await streamToFile(session, tmp.fd, options);
    }
    closeSync(tmp.fd);
    tmp.fd = -1;
    if (!looksComplete(tmp.path)) throw runtimeError('the snapshot the target produced is incomplete', 'INCOMPLETE');
    renameSync(tmp.path, output);
  } catch (err) {
    if (tmp.fd >= 0) closeSync(tmp.fd);
    try {
      unlinkSync(tmp.path);
    } catch {}
    if (err instanceof HeapwatchError) throw err;
    throw runtimeError(`dump failed: ${(err as Error).message}`, 'IO');
  }
  return { file: output, bytes: statSync(output).size, method, durationMs: Date.now() - started, headroom };
}
