// Whether the kernel's OOM killer ended the command: the cgroup's oom_kill counter (v2 memory.events, v1
// memory.oom_control) rose while it ran, in heapwatch's own cgroup or in the one the guard's reports name.
import { readFileSync } from 'node:fs';
import { findMemoryCgroup, oomKills } from '../../guard/cgroup.cjs';

export interface OomCounter {
  path: string;
  version: 1 | 2;
  before: number;
}

export interface OomKill {
  /** The cgroup folder whose counter rose. */
  cgroup: string;
  file: string;
  before: number;
  after: number;
}

/** The oom_kill counter of heapwatch's own cgroup before the command starts (its children start there). */
export function oomCounterBefore(): OomCounter | null {
  try {
    const cg = findMemoryCgroup();
    const before = cg ? oomKills(cg.path, cg.version) : null;
    return cg && before !== null ? { path: cg.path, version: cg.version, before } : null;
  } catch {
    return null;
  }
}

/** The counters the guard's memory reports saw (a command may run in a cgroup of its own). */
function countersInReports(memoryReports: string[]): OomCounter[] {
  const out: OomCounter[] = [];
  for (const path of memoryReports) {
    try {
      const cg = (
        JSON.parse(readFileSync(path, 'utf8')) as { cgroup?: { path: string; version: 1 | 2; oomKills: number | null } }
      ).cgroup;
      if (cg && cg.oomKills !== null) out.push({ path: cg.path, version: cg.version, before: cg.oomKills });
    } catch {
      // a report we cannot read tells us nothing about the kill
    }
  }
  return out;
}

export function oomKillDuringRun(own: OomCounter | null, memoryReports: string[]): OomKill | null {
  for (const c of [...(own ? [own] : []), ...countersInReports(memoryReports)]) {
    const after = oomKills(c.path, c.version);
    if (after !== null && after > c.before) {
      const file = `${c.path}/${c.version === 2 ? 'memory.events' : 'memory.oom_control'}`;
      return { cgroup: c.path, file, before: c.before, after };
    }
  }
  return null;
}
