import { chownSync, closeSync, existsSync, fchownSync, fstatSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { HeapwatchError, runtimeError, usageError } from '../errors.js';
import { createTemp, outputProblem } from '../guard/safe-file.cjs';
import { type DumpOptions, type DumpResult, looksComplete, watchSize } from './capture.js';
import type { GuardClient } from './guard-socket.js';
import { describeHeadroom, measureHeadroom } from './headroom.js';
import { PendingDump } from './pending-dump.js';
import type { RawSample } from './sampler.js';

/** Who the target runs as, and whether it sees our file system (same root folder). */
export interface SocketTarget {
  pid: number;
  uid: number;
  gid: number;
  sharesRoot: boolean;
}

/**
 * `heapwatch dump` over the guard's socket. The same headroom rule as over the inspector; then heapwatch creates
 * the file (safe-file: random name in the destination folder, exclusive, 0600), lends it to the target's user if
 * that is another one, and the guard writes the snapshot into exactly that file (checked by device and inode).
 * heapwatch checks its tail, takes the file back and renames it to its final name. Nothing crosses the socket
 * but two short lines: streaming over it would make the target hold the whole serialised snapshot in memory.
 */
export async function dumpOverSocket(
  client: GuardClient,
  target: SocketTarget,
  options: DumpOptions,
  onCleanup: (cleanup: () => void) => void,
): Promise<DumpResult> {
  const output = resolve(options.output);
  if (existsSync(output)) throw usageError(`${output} already exists; heapwatch does not overwrite dumps`, 'EXISTS');
  const problem = await outputProblem(output);
  if (problem) throw usageError(problem, 'BAD_OUTPUT');
  if (!target.sharesRoot) {
    throw usageError(
      `process ${target.pid} sees another file system (a container), so it cannot write ${output}; ` +
        'run heapwatch inside its container, or use --inspector (the snapshot is then streamed)',
      'OTHER_ROOT',
    );
  }
  const started = Date.now();
  const raw = await client.request<RawSample>('sample');
  const headroom = measureHeadroom(raw.h.used_heap_size, target.pid);
  const message = describeHeadroom(headroom, target.pid);
  options.onHeadroom?.(headroom, message);
  if (!headroom.fits && !options.force) {
    throw runtimeError(
      `${message}; refusing to dump, it would likely get the target killed (heapwatch dump --force dumps anyway)`,
      'NO_HEADROOM',
    );
  }
  if (options.gc) await client.request('collect-garbage');

  const temp = createTemp(output);
  const pending = new PendingDump(temp.path, output);
  onCleanup(() => pending.removeIfWriting());
  const me = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  const lent = me.uid === 0 && target.uid !== 0;
  // our own descriptor on the file, to watch it grow and check it; the guard opens the same file by its path
  const fd = temp.fd;
  const stopWatching = watchSize(fd, options.onProgress);
  try {
    if (lent) fchownSync(fd, target.uid, target.gid); // still 0600: readable by that user and root only
    const st = fstatSync(fd);
    try {
      await client.request('dump', { path: temp.path, dev: st.dev, ino: st.ino });
    } catch (err) {
      if (/EACCES|EPERM/.test((err as Error).message)) {
        throw runtimeError(
          `process ${target.pid} runs as uid ${target.uid} and cannot reach ${dirname(output)}; ` +
            'dump into a folder that user can reach (e.g. /var/tmp), or use --inspector',
          'DENIED',
        );
      }
      throw err;
    }
    if (lent) chownSync(temp.path, me.uid, me.gid);
    if (!looksComplete(fd)) throw runtimeError('the snapshot the target produced is incomplete', 'INCOMPLETE');
    const bytes = fstatSync(fd).size;
    pending.finish();
    const result = { file: output, bytes, method: 'target-wrote' as const, durationMs: Date.now() - started, headroom };
    if (!options.deferCommit) pending.commit();
    return { ...result, commit: pending.commit };
  } catch (err) {
    pending.abandon();
    if (err instanceof HeapwatchError) throw err;
    throw runtimeError(`dump failed: ${(err as Error).message}`, 'IO');
  } finally {
    stopWatching();
    closeSync(fd);
  }
}
