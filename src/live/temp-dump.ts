import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenLiveOptions } from './live-target.js';
import { parseTarget } from './locate.js';

/**
 * For commands that read a snapshot file but also accept a live target (`heapwatch histo <pid>`, like jmap -histo):
 * an existing file is used as is; a pid, host:port or ws:// URL is dumped into a private temporary directory
 * (0700, file 0600), handed to `fn`, and removed afterwards whatever happens.
 */
export async function withLiveSnapshot<T>(
  fileOrTarget: string,
  fn: (file: string) => Promise<T>,
  options: OpenLiveOptions = {},
): Promise<T> {
  if (existsSync(fileOrTarget)) return fn(fileOrTarget);
  let isTarget = true;
  try {
    parseTarget(fileOrTarget);
  } catch {
    isTarget = false;
  }
  if (!isTarget) return fn(fileOrTarget); // let the file reader report the missing file its own way
  const { withLive } = await import('./live-target.js');
  const dir = mkdtempSync(join(tmpdir(), 'heapwatch-dump-'));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir); // Ctrl-C during the analysis still removes the dump
  try {
    const file = join(dir, 'live.heapsnapshot');
    await withLive(fileOrTarget, options, (live) => {
      // a guarded target of another user writes into this folder as that user: it may pass through (0711), not
      // list it, and it opens only the file heapwatch created and lent it under a random name
      if (live.via === 'socket' && process.getuid?.() === 0) chmodSync(dir, 0o711);
      return live.dump({
        output: file,
        onHeadroom: (_h, message) => process.stderr.write(`heapwatch: ${message}\n`),
      });
    });
    return await fn(file);
  } finally {
    removeDir();
    process.off('exit', removeDir);
  }
}
