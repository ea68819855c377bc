import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTarget } from './locate.js';

/**
 * For commands that read a snapshot file but also accept a live target (`heapwatch histo <pid>`, like jmap -histo):
 * an existing file is used as is; a pid, host:port or ws:// URL is dumped into a private temporary directory
 * (0700, file 0600), handed to `fn`, and removed afterwards whatever happens.
 */
export async function withLiveSnapshot<T>(fileOrTarget: string, fn: (file: string) => Promise<T>): Promise<T> {
  if (existsSync(fileOrTarget)) return fn(fileOrTarget);
  let isTarget = true;
  try {
    parseTarget(fileOrTarget);
  } catch {
    isTarget = false;
  }
  if (!isTarget) return fn(fileOrTarget); // let the file reader report the missing file its own way
  const { withSession } = await import('./session.js');
  const { dumpHeap } = await import('./capture.js');
  const dir = mkdtempSync(join(tmpdir(), 'heapwatch-dump-'));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir); // Ctrl-C during the analysis still removes the dump
  try {
    const file = join(dir, 'live.heapsnapshot');
    await withSession(fileOrTarget, {}, (session) =>
      dumpHeap(session, {
        output: file,
        onHeadroom: (_h, message) => process.stderr.write(`heapwatch: ${message}\n`),
      }),
    );
    return await fn(file);
  } finally {
    removeDir();
    process.off('exit', removeDir);
  }
}
