// Memory headroom before a snapshot: V8 builds the whole snapshot graph in the process's memory before writing a
// byte, so a snapshot in a tight container is killed by the OOM killer halfway. We estimate its cost and compare
// it with the room left under the limit; a dump that cannot fit is skipped, never attempted.
import { freemem } from 'node:os';
import { humanBytes } from './disk-space.cjs';

/**
 * Peak RSS a writeHeapSnapshot adds, per byte of used heap, plus a fixed part. Measured on this project's
 * machine (VmHWM reset through /proc/self/clear_refs, then one snapshot): heaps of small objects add 12.7-15.6x
 * their used heap on Node 20.20, 22.23 and 24.22 (19 MB used: +250-264 MB; 96 MB: +1.2-1.4 GB; 265-275 MB:
 * +3.9-4.1 GB); a heap of Buffers (3.5-4.6 MB used) adds 31-40 MB. 16x + 32 MB covers every case measured.
 */
export const SNAPSHOT_RSS_PER_HEAP_BYTE = 16;
export const SNAPSHOT_RSS_FIXED = 32 * 1024 * 1024;

export function snapshotMemoryCost(usedHeap: number): number {
  return usedHeap * SNAPSHOT_RSS_PER_HEAP_BYTE + SNAPSHOT_RSS_FIXED;
}

export interface MemoryLimit {
  bytes: number;
  /** What set it, for messages: `cgroup memory.max (/sys/fs/cgroup/x/memory.max)` or `HEAPWATCH_MAX_RSS`. */
  source: string;
}

/**
 * null when a snapshot of a heap of `usedHeap` bytes fits in the memory left (under `limit` and in the
 * machine's available memory), else why it does not.
 */
export function noMemoryReason(usedHeap: number, rss: number, limit: MemoryLimit | null): string | null {
  const cost = snapshotMemoryCost(usedHeap);
  const available = freemem(); // MemAvailable on Linux
  const underLimit = limit ? limit.bytes - rss : Number.POSITIVE_INFINITY;
  const room = Math.min(underLimit, available);
  if (cost <= room) return null;
  const need = `a snapshot of ${humanBytes(usedHeap)} of heap needs about ${humanBytes(cost)} more memory`;
  if (limit && underLimit <= available) {
    return `${need}, only ${humanBytes(Math.max(0, underLimit))} is left under the ${humanBytes(limit.bytes)} limit (${limit.source}) at ${humanBytes(rss)} RSS`;
  }
  return `${need}, the machine has ${humanBytes(available)} available`;
}

/**
 * For arming the near-heap-limit snapshot at startup: null when a snapshot taken at the heap limit would still
 * fit under `limit`, else why not. At the limit the process holds about the heap limit plus what it holds
 * outside the heap now.
 */
export function nearLimitNoMemoryReason(
  heapSizeLimit: number,
  rss: number,
  heapTotal: number,
  limit: MemoryLimit | null,
): string | null {
  if (!limit) return null;
  const outsideHeap = Math.max(0, rss - heapTotal);
  const needed = heapSizeLimit + outsideHeap + snapshotMemoryCost(heapSizeLimit);
  if (needed <= limit.bytes) return null;
  return `at the ${humanBytes(heapSizeLimit)} heap limit a snapshot needs about ${humanBytes(snapshotMemoryCost(heapSizeLimit))} more memory, more than the ${humanBytes(limit.bytes)} limit allows (${limit.source})`;
}
