import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { afterOpenedNotice, killAll, runCli, startTarget } from './helpers.js';

// A real memory limit: a cgroup v1 child of our own memory cgroup (needs root and a writable cgroup fs;
// skipped where the machine does not allow it, e.g. cgroup v2 without delegation).
function ownMemoryCgroupDir(): string | undefined {
  const line = readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .find((l) => /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(l));
  if (!line) return undefined;
  const dir = `/sys/fs/cgroup/memory${line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1)}`;
  return existsSync(dir) ? dir : undefined;
}

function makeLimitedCgroup(limitBytes: number): string | undefined {
  const parent = ownMemoryCgroupDir();
  if (!parent) return undefined;
  const dir = join(parent, `heapwatch-test-${process.pid}`);
  try {
    mkdirSync(dir);
    writeFileSync(join(dir, 'memory.limit_in_bytes'), String(limitBytes));
    return dir;
  } catch {
    return undefined;
  }
}

const cgroup = makeLimitedCgroup(160 * 1024 * 1024);
afterAll(async () => {
  killAll();
  await new Promise((r) => setTimeout(r, 200));
  if (cgroup) rmdirSync(cgroup);
});

describe('dump headroom', () => {
  it.skipIf(!cgroup)(
    'refuses to dump a target whose cgroup cannot absorb the snapshot, and says why and how to override',
    async () => {
      // ~40 MB of live objects, then moved into a 160 MB cgroup (charges stay behind): a snapshot needs ≥ 8 × 40 MB
      const big = await startTarget(
        ['--inspect-port=0'],
        new URL('./fixtures/big-target.cjs', import.meta.url).pathname,
      );
      writeFileSync(join(cgroup!, 'cgroup.procs'), String(big.pid));
      const out = join(tmpdir(), `heapwatch-headroom-${process.pid}.heapsnapshot`);
      const r = await runCli(['dump', String(big.pid), '-o', out]);
      expect(r.code).toBe(1);
      expect(afterOpenedNotice(r.stderr)).toMatch(
        /^heapwatch: a heap snapshot of process \d+ \(\d+\.\d MB heap used\) will cost about /,
      );
      expect(r.stderr).toContain(`cgroup ${cgroup!.replace('/sys/fs/cgroup/memory', '')} limit 160.0 MB`);
      expect(r.stderr).toContain(
        'refusing to dump, it would likely get the target killed (heapwatch dump --force dumps anyway)',
      );
      expect(existsSync(out)).toBe(false);
      expect((await big.state()).inspectorUrl).toBeNull();
    },
  );
});
