import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The suffix of index files in the cache folder. */
export const INDEX_EXT = '.hwindex';
const DEFAULT_MAX = 10 * 1024 ** 3;
const EDGE_BYTES = 1 << 20;

/** The cache folder: --index-dir, else $HEAPWATCH_CACHE, else ~/.cache/heapwatch. */
export function cacheDir(indexDir?: string): string {
  if (indexDir) return resolve(indexDir);
  if (process.env.HEAPWATCH_CACHE) return resolve(process.env.HEAPWATCH_CACHE);
  return join(homedir(), '.cache', 'heapwatch');
}

/** HEAPWATCH_CACHE_MAX in bytes (default 10 GB). */
export function cacheMax(): number {
  const raw = process.env.HEAPWATCH_CACHE_MAX;
  const n = raw === undefined || raw === '' ? DEFAULT_MAX : Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : DEFAULT_MAX;
}

/**
 * Creates the cache folder (0700) if needed; why it cannot be used otherwise: a symlink, not a folder, or
 * someone else's (another user could swap the indexes heapwatch would trust).
 */
export function cacheProblem(dir: string): string | null {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory()) return `${dir} is not a folder`;
    if (process.getuid && st.uid !== process.getuid()) return `${dir} belongs to another user`;
    if (st.mode & 0o022) return `${dir} is writable by others`;
    return null;
  } catch (e) {
    return `${dir}: ${(e as Error).message}`;
  }
}

/**
 * What identifies a snapshot file's contents without reading all of it: size, mtime and a hash of its first and
 * last MB. A changed or replaced snapshot gets another key, so its old index is never matched.
 */
export function snapshotKey(file: string): { size: number; mtimeMs: number; edges: string } {
  // O_NONBLOCK: a FIFO must not hang the open; anything but a regular file has no key (the reader refuses it)
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error(`${file}: not a regular file`);
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(Math.min(EDGE_BYTES, st.size));
    for (const at of [0, Math.max(0, st.size - buf.length)]) {
      let got = 0;
      while (got < buf.length) {
        const n = readSync(fd, buf, got, buf.length - got, at + got);
        if (n === 0) break;
        got += n;
      }
      hash.update(buf.subarray(0, got));
    }
    // whole milliseconds: what copies that keep times (cp -p, rsync -t) keep
    return { size: st.size, mtimeMs: Math.floor(st.mtimeMs), edges: hash.digest('hex') };
  } finally {
    closeSync(fd);
  }
}

/** The index file's name for a key (the key is also stored inside and compared on opening). */
export function indexPath(dir: string, key: object): string {
  return join(dir, `${createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 32)}${INDEX_EXT}`);
}

/** Removes the oldest indexes (by modification time) until the folder holds at most `max` bytes of them. */
export function enforceCacheMax(dir: string, max: number, keep?: string): string[] {
  const files = indexFiles(dir).sort((a, b) => a.mtimeMs - b.mtimeMs);
  let total = files.reduce((sum, f) => sum + f.size, 0);
  const removed: string[] = [];
  for (const f of files) {
    if (total <= max) break;
    if (f.path === keep) continue;
    try {
      unlinkSync(f.path);
      removed.push(f.path);
      total -= f.size;
    } catch {
      // gone already
    }
  }
  return removed;
}

/** Every index file in the folder with its size and mtime. */
export function indexFiles(dir: string): { path: string; size: number; mtimeMs: number }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith(INDEX_EXT))
    .flatMap((n) => {
      try {
        const st = statSync(join(dir, n));
        return st.isFile() ? [{ path: join(dir, n), size: st.size, mtimeMs: st.mtimeMs }] : [];
      } catch {
        return [];
      }
    });
}
