// Free disk space before a dump: a heap dump must never be the thing that fills the disk.
import { statfsSync } from 'node:fs';

/** A .heapsnapshot file is about 2.5× the heap it describes (many small nodes); 3× leaves a margin. */
export const SNAPSHOT_BYTES_PER_HEAP_BYTE = 3;

/** KB/MB/GB with one decimal (the guard keeps to node: built-ins, so not src/format.ts). */
export function humanBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024).toFixed(1)} KB`;
}

export function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

/** null when there is room for `neededBytes` while keeping `minFreeBytes` free, else the reason why not. */
export function noRoomReason(dir: string, neededBytes: number, minFreeBytes: number): string | null {
  const free = freeBytes(dir);
  if (free - neededBytes >= minFreeBytes) return null;
  const keep = minFreeBytes > 0 ? ` and keep ${humanBytes(minFreeBytes)} free (HEAPWATCH_MIN_FREE)` : '';
  return `${humanBytes(free)} free on ${dir}, a snapshot needs about ${humanBytes(neededBytes)}${keep}`;
}
