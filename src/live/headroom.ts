import { readFileSync } from 'node:fs';
import { formatBytes } from '../format.js';

/**
 * Can the target afford a heap snapshot? V8 builds the whole snapshot graph in the target's memory before it
 * writes a byte, and the cost grows with the number of objects, not their bytes. Measured on Node 20 here:
 * heaps of small objects cost 13.5× (321 MB heap → +4.3 GB RSS, bench/live-dump-memory.mjs) and 14× (390 MB);
 * the issue reports 8× (300 MB → 2.5 GB). Heaps of big strings and buffers cost less. We refuse when even the low
 * estimate does not fit, and say the high one.
 */
export const SNAPSHOT_COST_FACTOR_LOW = 8;
export const SNAPSHOT_COST_FACTOR_HIGH = 14;
/** Seconds of event-loop stall per MB of used heap: 0.15–0.24 reported in the issue, 0.35–0.41 measured here. */
export const SNAPSHOT_SECONDS_PER_MB_LOW = 0.15;
export const SNAPSHOT_SECONDS_PER_MB_HIGH = 0.45;

export interface CgroupMemory {
  /** cgroup path as the target sees it, e.g. /system.slice/app.service. */
  path: string;
  limit: number;
  usage: number;
}

export interface Headroom {
  heapUsed: number;
  /** Extra memory the snapshot is expected to need in the target: low and high estimate. */
  estimatedCost: number;
  estimatedCostHigh: number;
  /** Event-loop stall, seconds: low and high estimate. */
  estimatedStallSeconds: number;
  estimatedStallSecondsHigh: number;
  /** MemAvailable of the machine. */
  memAvailable: number | undefined;
  /** The tightest memory limit among the target's cgroup and its ancestors. */
  cgroup: CgroupMemory | undefined;
  /** Bytes the target can still grow by before the kernel or the cgroup kills something. */
  available: number | undefined;
  /** True when the low estimate fits in what is available. */
  fits: boolean;
}

function readNumber(path: string): number | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    if (!/^\d+$/.test(text)) return undefined; // "max": no limit
    const n = Number(text);
    return n >= 2 ** 62 ? undefined : n; // cgroup v1 reports "no limit" as a huge number
  } catch {
    return undefined;
  }
}

export function readMemAvailable(): number | undefined {
  try {
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Reclaimable page cache in a cgroup v2 directory (inactive_file), which usage counts but the kernel can drop. */
function inactiveFile(dir: string): number {
  try {
    const m = /^inactive_file (\d+)$/m.exec(readFileSync(`${dir}/memory.stat`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** The tightest memory limit over the cgroup of `pid` and its ancestors (cgroup v2, then v1). */
export function readCgroupMemory(pid: number | 'self'): CgroupMemory | undefined {
  let lines: string[];
  try {
    lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
  } catch {
    return undefined;
  }
  let best: CgroupMemory | undefined;
  const consider = (path: string, limit: number | undefined, usage: number | undefined): void => {
    if (limit === undefined || usage === undefined) return;
    if (!best || limit - usage < best.limit - best.usage) best = { path, limit, usage };
  };
  const v2 = lines.find((l) => l.startsWith('0::'));
  if (v2) {
    let path = v2.slice(3) || '/';
    for (;;) {
      const dir = `/sys/fs/cgroup${path === '/' ? '' : path}`;
      const current = readNumber(`${dir}/memory.current`);
      consider(path, readNumber(`${dir}/memory.max`), current === undefined ? undefined : current - inactiveFile(dir));
      if (path === '/' || path === '') break;
      path = path.slice(0, path.lastIndexOf('/')) || '/';
    }
  }
  const v1 = lines.find((l) => /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(l));
  if (v1) {
    let path = v1.slice(v1.indexOf(':', v1.indexOf(':') + 1) + 1) || '/';
    for (;;) {
      const dir = `/sys/fs/cgroup/memory${path === '/' ? '' : path}`;
      consider(path, readNumber(`${dir}/memory.limit_in_bytes`), readNumber(`${dir}/memory.usage_in_bytes`));
      if (path === '/') break;
      path = path.slice(0, path.lastIndexOf('/')) || '/';
    }
  }
  return best;
}

/** Headroom of a target using `heapUsed` bytes; pid undefined when we cannot see its cgroup (remote target). */
export function measureHeadroom(heapUsed: number, pid: number | undefined): Headroom {
  const memAvailable = readMemAvailable();
  const cgroup = pid === undefined ? undefined : readCgroupMemory(pid);
  const candidates = [memAvailable, cgroup ? Math.max(0, cgroup.limit - cgroup.usage) : undefined].filter(
    (n): n is number => n !== undefined,
  );
  const available = candidates.length > 0 ? Math.min(...candidates) : undefined;
  const estimatedCost = heapUsed * SNAPSHOT_COST_FACTOR_LOW;
  const mb = heapUsed / 2 ** 20;
  return {
    heapUsed,
    estimatedCost,
    estimatedCostHigh: heapUsed * SNAPSHOT_COST_FACTOR_HIGH,
    estimatedStallSeconds: Math.ceil(mb * SNAPSHOT_SECONDS_PER_MB_LOW),
    estimatedStallSecondsHigh: Math.ceil(mb * SNAPSHOT_SECONDS_PER_MB_HIGH),
    memAvailable,
    cgroup,
    available,
    fits: available === undefined || estimatedCost <= available,
  };
}

/** "will cost about 3.1 GB of memory in the target and stall it for about 100 s; 1.2 GB available (…)". */
export function describeHeadroom(h: Headroom, pid: number): string {
  const where: string[] = [];
  if (h.cgroup) {
    where.push(`cgroup ${h.cgroup.path} limit ${formatBytes(h.cgroup.limit)}, using ${formatBytes(h.cgroup.usage)}`);
  }
  if (h.memAvailable !== undefined) where.push(`MemAvailable ${formatBytes(h.memAvailable)}`);
  const avail = h.available === undefined ? 'available memory unknown' : `${formatBytes(h.available)} available`;
  return (
    `a heap snapshot of process ${pid} (${formatBytes(h.heapUsed)} heap used) will cost about ` +
    `${formatBytes(h.estimatedCost)}–${formatBytes(h.estimatedCostHigh)} of extra memory in the target and stall ` +
    `its event loop for about ${h.estimatedStallSeconds}–${h.estimatedStallSecondsHigh} s; ` +
    `${avail}${where.length ? ` (${where.join('; ')})` : ''}`
  );
}
