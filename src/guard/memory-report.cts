// The memory report the watch writes at every episode: small (a few KB), cheap (no heap walk), and enough to
// tell where the memory went: the V8 heap, memory outside it (Buffers, typed arrays, native code), or the kernel.
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { type CgroupBreakdown, cgroupBreakdown, cgroupUsage, type MemoryCgroup, oomKills } from './cgroup.cjs';
import type { MemoryLimit } from './headroom.cjs';
import type { AllocationSite } from './heap-sampler.cjs';

export interface MemoryReport {
  schema: 'heapwatch/memory-report@1';
  reason: string;
  app: string;
  pid: number;
  time: string;
  nodeVersion: string;
  limit: MemoryLimit | null;
  thresholdBytes: number | null;
  memoryUsage: { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
  heapSizeLimit: number;
  heapSpaces: { name: string; size: number; used: number; available: number }[];
  cgroup: {
    version: 1 | 2;
    path: string;
    usage: number | null;
    breakdown: CgroupBreakdown | null;
    oomKills: number | null;
  } | null;
  /** Top live allocation sites of the sampling heap profile, when HEAPWATCH_SAMPLE=1. */
  topAllocationSites: AllocationSite[] | null;
  /** The heap profile written for this episode, if any. */
  heapProfile: string | null;
  /** What happens to the snapshot: `writing <path>` or `skipped: <why>`. */
  snapshot: string;
}

export interface ReportInputs {
  reason: string;
  app: string;
  limit: MemoryLimit | null;
  thresholdBytes: number | null;
  cgroup: MemoryCgroup | null;
  topAllocationSites: AllocationSite[] | null;
  heapProfile: string | null;
  snapshot: string;
}

function cgroupPart(cg: MemoryCgroup | null): MemoryReport['cgroup'] {
  if (!cg) return null;
  let breakdown: CgroupBreakdown | null = null;
  try {
    breakdown = cgroupBreakdown(cg);
  } catch {
    // memory.stat unreadable: the rest of the report still stands
  }
  return {
    version: cg.version,
    path: cg.path,
    usage: cgroupUsage(cg),
    breakdown,
    oomKills: oomKills(cg.path, cg.version),
  };
}

export function memoryReport(inputs: ReportInputs): MemoryReport {
  const u = process.memoryUsage();
  return {
    schema: 'heapwatch/memory-report@1',
    reason: inputs.reason,
    app: inputs.app,
    pid: process.pid,
    time: new Date().toISOString(),
    nodeVersion: process.version,
    limit: inputs.limit,
    thresholdBytes: inputs.thresholdBytes,
    memoryUsage: {
      rss: u.rss,
      heapTotal: u.heapTotal,
      heapUsed: u.heapUsed,
      external: u.external,
      arrayBuffers: u.arrayBuffers,
    },
    heapSizeLimit: getHeapStatistics().heap_size_limit,
    heapSpaces: getHeapSpaceStatistics().map((s) => ({
      name: s.space_name,
      size: s.space_size,
      used: s.space_used_size,
      available: s.space_available_size,
    })),
    cgroup: cgroupPart(inputs.cgroup),
    topAllocationSites: inputs.topAllocationSites,
    heapProfile: inputs.heapProfile,
    snapshot: inputs.snapshot,
  };
}
