// Free disk space before a dump: a heap dump must never be the thing that fills the disk.
import { statfsSync } from 'node:fs';

/** A .heapsnapshot file is about 2.5× the heap it describes (many small nodes); 3× leaves a margin. */
export const SNAPSHOT_BYTES_PER_HEAP_BYTE = 3;

export function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

/** null when there is room for `neededBytes` while keeping `minFreeBytes` free, else the reason why not. */
export function noRoomReason(dir: string, neededBytes: number, minFreeBytes: number): string | null {
  const free = freeBytes(dir);
  if (free - neededBytes >= minFreeBytes) return null;
  const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
  const keep = minFreeBytes > 0 ? ` and keep ${mb(minFreeBytes)} free (HEAPWATCH_MIN_FREE)` : '';
  return `${mb(free)} free on ${dir}, a snapshot needs about ${mb(neededBytes)}${keep}`;
}
