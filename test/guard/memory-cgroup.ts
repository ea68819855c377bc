// Real memory cgroups for the tests (as root): a v2 child of the unified hierarchy when it has the memory
// controller, else a v1 child of the memory hierarchy; null with the reason when neither is writable here.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCgroup {
  version: 1 | 2;
  path: string;
  limitFile: string;
  /** The kernel's OOM kills in this cgroup so far. */
  oomKills(): number;
  /** Removes the cgroup (its processes must have exited). */
  remove(): void;
}

function mountsOf(type: string, option?: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' - '))
    .filter(
      ([, right]) => right?.split(' ')[0] === type && (!option || right.split(' ')[2]?.split(',').includes(option)),
    )
    .map(([left]) => left.split(' ')[4]);
}

let created = 0;

function tryCreate(parent: string, version: 1 | 2, limitBytes: number): TestCgroup {
  const path = join(parent, `heapwatch-test-${process.pid}-${++created}`);
  mkdirSync(path);
  try {
    const limitFile = join(path, version === 2 ? 'memory.max' : 'memory.limit_in_bytes');
    writeFileSync(limitFile, String(limitBytes));
    if (version === 2 && existsSync(join(path, 'memory.swap.max'))) writeFileSync(join(path, 'memory.swap.max'), '0');
    if (version === 1 && existsSync(join(path, 'memory.swappiness')))
      writeFileSync(join(path, 'memory.swappiness'), '0');
    const eventsFile = join(path, version === 2 ? 'memory.events' : 'memory.oom_control');
    return {
      version,
      path,
      limitFile,
      oomKills: () => Number(/^oom_kill (\d+)$/m.exec(readFileSync(eventsFile, 'utf8'))?.[1] ?? Number.NaN),
      remove: () => rmdirSync(path),
    };
  } catch (err) {
    rmdirSync(path);
    throw err;
  }
}

/** A fresh memory cgroup limited to `limitBytes`, or the reason why none can be made on this machine. */
export function createMemoryCgroup(limitBytes: number): TestCgroup | string {
  if (process.getuid?.() !== 0) return 'memory cgroups need root';
  const reasons: string[] = [];
  for (const root of mountsOf('cgroup2')) {
    try {
      const controllers = readFileSync(join(root, 'cgroup.subtree_control'), 'utf8').split(/\s+/);
      if (!controllers.includes('memory')) {
        reasons.push(`${root}: the memory controller is not enabled for children`);
        continue;
      }
      return tryCreate(root, 2, limitBytes);
    } catch (err) {
      reasons.push(`${root}: ${(err as Error).message}`);
    }
  }
  for (const root of mountsOf('cgroup', 'memory')) {
    try {
      return tryCreate(root, 1, limitBytes);
    } catch (err) {
      reasons.push(`${root}: ${(err as Error).message}`);
    }
  }
  return reasons.length > 0 ? reasons.join('; ') : 'no memory cgroup hierarchy is mounted';
}

/** `sh` arguments that move the shell into `cg` and then exec `command` (so the command starts inside it). */
export function inCgroup(cg: TestCgroup, command: string[]): string[] {
  return ['-c', 'echo $$ > "$0" && exec "$@"', join(cg.path, 'cgroup.procs'), ...command];
}
