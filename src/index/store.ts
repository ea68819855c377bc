import { closeSync, utimesSync } from 'node:fs';
import type { HeapAnalysis } from '../analysis/types.js';
import { commitTemp, createTemp } from '../guard/safe-file.cjs';
import { cacheDir, cacheMax, cacheProblem, enforceCacheMax, indexPath, snapshotKey } from './cache.js';
import { IndexFile, writeIndex } from './index-file.js';
import { LazyAnalysis } from './lazy-analysis.js';
import { analysisContents, restoreAnalysis } from './saved-analysis.js';

export interface IndexOptions {
  /** --index-dir. */
  dir?: string;
  /** Where to say that an index was ignored or could not be written (one line each). */
  warn: (message: string) => void;
}

/** The analysis the index holds for this snapshot file, read whole, or null (no index, or one not to trust: said once). */
export function openIndexed(file: string, opts: IndexOptions): HeapAnalysis | null {
  return withIndexFile(file, opts, restoreAnalysis, true);
}

/**
 * The analysis the index holds for this snapshot file, opened for reading only what a report asks for (`node`),
 * or null as for openIndexed. Its reads throw IndexDamage on a damaged block; close it when done.
 */
export function openLazyIndexed(file: string, opts: IndexOptions): { analysis: LazyAnalysis; path: string } | null {
  let path = '';
  const analysis = withIndexFile(
    file,
    opts,
    (f, p) => {
      path = p;
      return new LazyAnalysis(f);
    },
    false,
  );
  return analysis ? { analysis, path } : null;
}

/** `open` applied to this file's index once its frame and key are checked; the one line when it is not usable. */
function withIndexFile<T>(
  file: string,
  opts: IndexOptions,
  open: (f: IndexFile, path: string) => T,
  closeAfter: boolean,
): T | null {
  const dir = cacheDir(opts.dir);
  let key: ReturnType<typeof snapshotKey>;
  try {
    key = snapshotKey(file);
  } catch {
    return null; // the reader reports the file's own problem
  }
  const path = indexPath(dir, key);
  const f = IndexFile.open(path);
  if (f === 'missing') return null;
  if (typeof f === 'string') {
    opts.warn(`index ${path} ignored (${f}); analysing again`);
    return null;
  }
  let ok = false;
  try {
    if (JSON.stringify(f.header.key) !== JSON.stringify(key)) {
      opts.warn(`index ${path} ignored (made for another file); analysing again`);
      return null;
    }
    const opened = open(f, path);
    const now = new Date();
    utimesSync(path, now, now); // the cache removes the least recently used first
    ok = true;
    return opened;
  } catch (e) {
    opts.warn(`index ${path} ignored (${(e as Error).message}); analysing again`);
    return null;
  } finally {
    if (closeAfter || !ok) f.close();
  }
}

/** Stores the analysis of `file` in the cache (temp, complete, rename, 0600); a failure is said, never thrown. */
export async function saveIndexed(file: string, a: HeapAnalysis, opts: IndexOptions): Promise<void> {
  // the index keeps self sizes as 32-bit numbers: a snapshot with a bigger one (rare) is simply analysed each time
  if (a.snapshot.bigSelfSizes) return;
  const dir = cacheDir(opts.dir);
  const problem = cacheProblem(dir);
  if (problem) {
    opts.warn(`no index written: ${problem}`);
    return;
  }
  let tempPath: string | null = null;
  try {
    const key = snapshotKey(file);
    const path = indexPath(dir, key);
    const temp = createTemp(path);
    tempPath = temp.path;
    try {
      writeIndex(temp.fd, analysisContents(a, key));
    } finally {
      closeSync(temp.fd);
    }
    await commitTemp(temp.path, path);
    tempPath = null;
    enforceCacheMax(dir, cacheMax(), path);
  } catch (e) {
    opts.warn(`no index written: ${(e as Error).message}`);
  } finally {
    if (tempPath) {
      const { unlink } = await import('node:fs/promises');
      await unlink(tempPath).catch(() => {});
    }
  }
}
