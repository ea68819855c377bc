// The memory cgroup this process runs in (v2 `memory.max`, or v1 `memory.limit_in_bytes`), found through
// /proc/self/cgroup and /proc/self/mountinfo, so a container's limit is seen wherever its hierarchy is mounted.
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export interface MemoryCgroup {
  version: 1 | 2;
  /** The cgroup's folder, e.g. /sys/fs/cgroup/memory/my-service. */
  path: string;
  /** The lowest limit on the way up to the mount's root, in bytes, or null when unlimited. */
  limit: number | null;
  /** The file that set `limit`, named in messages. */
  limitFile: string | null;
}

/** The four parts of the cgroup's memory that tell where the memory went (bytes; null when not reported). */
export interface CgroupBreakdown {
  anon: number | null;
  file: number | null;
  kernel: number | null;
  sock: number | null;
}

// v1 reports "no limit" as a page-rounded 2^63 - 1; anything this large is no limit
const UNLIMITED = 2 ** 60;

interface Mount {
  root: string;
  point: string;
  type: string;
  superOptions: string[];
}

function mounts(mountinfo: string): Mount[] {
  const out: Mount[] = [];
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!right) continue;
    const f = left.split(' ');
    const r = right.split(' ');
    out.push({
      root: unescapeMountField(f[3]),
      point: unescapeMountField(f[4]),
      type: r[0],
      superOptions: (r[2] ?? '').split(','),
    });
  }
  return out;
}

/** mountinfo escapes spaces and the like as \040 */
function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

/** Where `cgroupPath` of a hierarchy mounted as `mount` is on this file system, or null if not under it. */
function folderOf(mount: Mount, cgroupPath: string): string | null {
  const rel = relative(mount.root, cgroupPath);
  if (rel.startsWith('..')) return null;
  return join(mount.point, rel);
}

function readNumber(file: string): number | null {
  const text = readFileSync(file, 'utf8').trim();
  if (text === 'max') return null;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new Error(`${file}: not a number: ${text.slice(0, 40)}`);
  return n >= UNLIMITED ? null : n;
}

/** The lowest limit from `folder` up to the mount point (a parent's limit binds its children too). */
function lowestLimit(folder: string, top: string, fileName: string): { limit: number | null; file: string | null } {
  let best: { limit: number | null; file: string | null } = { limit: null, file: null };
  for (let dir = folder; ; dir = dirname(dir)) {
    const file = join(dir, fileName);
    let limit: number | null = null;
    try {
      limit = readNumber(file);
    } catch (err) {
      // the cgroup's own file must be readable; a parent's may be hidden from us
      if (dir === folder) throw err;
    }
    if (limit !== null && (best.limit === null || limit < best.limit)) best = { limit, file };
    if (dir === top || dir === dirname(dir)) break;
  }
  return best;
}

/**
 * The memory cgroup of process `pid` (default: this one), or null when there is none we can read.
 * Throws when a cgroup is there but its limit file cannot be read (the caller says so on stderr).
 */
export function findMemoryCgroup(pid: number | 'self' = 'self'): MemoryCgroup | null {
  let cgroupText: string;
  let mountText: string;
  try {
    cgroupText = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
    mountText = readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
  } catch {
    return null; // not Linux, or /proc hidden: no cgroup to watch
  }
  const all = mounts(mountText);
  const lines = cgroupText.split('\n').map((l) => l.split(':'));
  // v1: the line whose controllers include memory, and the cgroup v1 mount with the memory option
  const v1 = lines.find((f) => f.length >= 3 && f[1].split(',').includes('memory'));
  if (v1) {
    const path = v1.slice(2).join(':');
    for (const m of all.filter((x) => x.type === 'cgroup' && x.superOptions.includes('memory'))) {
      const folder = folderOf(m, path);
      if (!folder) continue;
      const { limit, file } = lowestLimit(folder, m.point, 'memory.limit_in_bytes');
      return { version: 1, path: folder, limit, limitFile: file };
    }
  }
  // v2: the `0::/path` line and a cgroup2 mount whose folder has the memory controller's files
  const v2 = lines.find((f) => f[0] === '0' && f[1] === '');
  if (v2) {
    const path = v2.slice(2).join(':');
    for (const m of all.filter((x) => x.type === 'cgroup2')) {
      const folder = folderOf(m, path);
      if (!folder) continue;
      try {
        readFileSync(join(folder, 'memory.current'));
      } catch {
        continue; // memory controller not enabled here (e.g. a hybrid host's unified tree)
      }
      const { limit, file } = lowestLimit(folder, m.point, 'memory.max');
      return { version: 2, path: folder, limit, limitFile: file };
    }
  }
  return null;
}

function statFile(cg: MemoryCgroup): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readFileSync(join(cg.path, 'memory.stat'), 'utf8').split('\n')) {
    const [key, value] = line.split(' ');
    if (key && value !== undefined) out.set(key, Number(value));
  }
  return out;
}

function tryNumber(file: string): number | null {
  try {
    return readNumber(file);
  } catch {
    return null;
  }
}

/** anon / file / kernel / sock from memory.stat (v2), or their v1 equivalents (rss, cache, kmem, kmem.tcp). */
export function cgroupBreakdown(cg: MemoryCgroup): CgroupBreakdown {
  const s = statFile(cg);
  const get = (k: string) => s.get(k) ?? null;
  if (cg.version === 2) {
    const kernel = get('kernel') ?? sumOf([get('kernel_stack'), get('slab'), get('pagetables'), get('percpu')]);
    return { anon: get('anon'), file: get('file'), kernel, sock: get('sock') };
  }
  return {
    anon: get('total_rss') ?? get('rss'),
    file: get('total_cache') ?? get('cache'),
    kernel: tryNumber(join(cg.path, 'memory.kmem.usage_in_bytes')),
    sock: tryNumber(join(cg.path, 'memory.kmem.tcp.usage_in_bytes')),
  };
}

function sumOf(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
}

/** The cgroup's charged memory now (v2 memory.current, v1 memory.usage_in_bytes). */
export function cgroupUsage(cg: MemoryCgroup): number | null {
  return tryNumber(join(cg.path, cg.version === 2 ? 'memory.current' : 'memory.usage_in_bytes'));
}

/** How many processes the kernel's OOM killer ended in this cgroup (v2 memory.events, v1 memory.oom_control). */
export function oomKills(cgroupPath: string, version: 1 | 2): number | null {
  try {
    const text = readFileSync(join(cgroupPath, version === 2 ? 'memory.events' : 'memory.oom_control'), 'utf8');
    const m = /^oom_kill (\d+)$/m.exec(text);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
