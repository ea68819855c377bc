import { chmodSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REGISTER_CJS, REPO, removeTempDirs, startNode, tempDir, writeApp } from './helpers.js';
import { createMemoryCgroup, inCgroup, type TestCgroup } from './memory-cgroup.js';

afterAll(removeTempDirs);

const CLI = join(REPO, 'bin/heapwatch.js');
const MB = 1024 * 1024;
const STAMP = '\\d{8}T\\d{6}\\.\\d{3}Z';
const mode = (path: string) => statSync(path).mode & 0o777;
const endsComplete = (path: string) => readFileSync(path).subarray(-2).toString() === ']}';

/** Keeps 32 KB Buffers (outside the V8 heap) at ~160 MB/s; exits with code 3 past LEAK_EXIT_AT_MB of RSS. */
const BUFFER_LEAK_APP = `
const heldPushPayloads = [];
const exitAt = Number(process.env.LEAK_EXIT_AT_MB || 0) * 1048576;
function queuePayloads() {
  for (let i = 0; i < 100; i++) heldPushPayloads.push(Buffer.alloc(32768, i));
  if (exitAt && process.memoryUsage.rss() > exitAt) process.exit(3);
  setTimeout(queuePayloads, 20);
}
queuePayloads();
`;

/** Keeps small JS objects; the leaking function is retainOrders, defined on line 3 (the source starts with a newline). */
const JS_LEAK_APP = `
const retainedOrders = [];
function retainOrders() {
  for (let i = 0; i < 2000; i++) retainedOrders.push({ id: i, note: 'order ' + i, lines: [i, i + 1] });
}
setInterval(retainOrders, 5);
`;

/** The heap profile's site holding the most sampled live bytes, charged to the innermost frame with a file. */
function topSite(profilePath: string): string {
  type Node = {
    callFrame: { functionName: string; url: string; lineNumber: number };
    selfSize: number;
    children: Node[];
  };
  const bytes = new Map<string, number>();
  const walk = (n: Node, site: string | null) => {
    const own = n.callFrame.url.startsWith('/')
      ? `${n.callFrame.functionName} ${n.callFrame.url}:${n.callFrame.lineNumber + 1}`
      : null;
    const at = own ?? site ?? n.callFrame.functionName;
    bytes.set(at, (bytes.get(at) ?? 0) + n.selfSize);
    for (const c of n.children) walk(c, own ?? site);
  };
  walk((JSON.parse(readFileSync(profilePath, 'utf8')) as { head: Node }).head, null);
  return [...bytes].sort((a, b) => b[1] - a[1])[0][0];
}

const cgroupOrReason = (limit: number): TestCgroup | string => createMemoryCgroup(limit);
const probe = cgroupOrReason(64 * MB);
const noCgroup = typeof probe === 'string' ? probe : null;
if (typeof probe !== 'string') probe.remove();

describe('the guard memory watch', () => {
  it.skipIf(noCgroup)(
    `a Buffer leak in a memory cgroup: report and complete snapshot before the OOM kill, heapwatch run and analyze name the holder${noCgroup ? ` (skipped: ${noCgroup})` : ''}`,
    async () => {
      const cg = createMemoryCgroup(320 * MB) as TestCgroup;
      try {
        const work = tempDir('cgroup-buffers');
        const dir = join(work, 'dumps');
        const app = writeApp(work, 'push-queue.cjs', BUFFER_LEAK_APP);
        // heapwatch run itself goes into the cgroup (as a container's entrypoint would) and its child with it
        const run = startNode(
          inCgroup(cg, [process.execPath, CLI, 'run', '--dir', dir, '--', process.execPath, app]),
          { HEAPWATCH_RSS_THRESHOLD: '50%' },
          work,
          '/bin/sh',
        );
        const { code } = await run.exited;
        const err = run.stderr();
        expect(code, err).toBe(137);
        expect(cg.oomKills()).toBe(1);
        expect(err).toContain(`heapwatch: ${process.execPath} ${app} was killed by SIGKILL`);
        expect(err).toContain(
          `heapwatch: the kernel's OOM killer ended it (oom_kill 0 → 1 in ${cg.path}/${cg.version === 2 ? 'memory.events' : 'memory.oom_control'})`,
        );
        const reportLine = new RegExp(
          `heapwatch: rss-threshold memory report: (${dir}/push-queue-(\\d+)-${STAMP}-rss-threshold\\.memory\\.json) \\(RSS [\\d.]+ MB of the 320\\.0 MB limit \\(cgroup v${cg.version} ${cg.limitFile}\\)\\)`,
        );
        const [, reportPath, pid] = err.match(reportLine) ?? expect.fail(err);
        const report = JSON.parse(readFileSync(reportPath, 'utf8'));
        expect(mode(reportPath)).toBe(0o600);
        expect(report).toMatchObject({
          schema: 'heapwatch/memory-report@1',
          reason: 'rss-threshold',
          pid: Number(pid),
          limit: { bytes: 320 * MB },
          thresholdBytes: 160 * MB,
          cgroup: { version: cg.version, path: cg.path, oomKills: 0 },
        });
        // the memory is outside the heap: array buffers, and anonymous memory in the cgroup
        expect(report.memoryUsage.rss).toBeGreaterThanOrEqual(160 * MB);
        expect(report.memoryUsage.arrayBuffers).toBeGreaterThan(10 * report.memoryUsage.heapUsed);
        expect(report.cgroup.breakdown.anon).toBeGreaterThan(report.memoryUsage.arrayBuffers);
        expect(report.heapSpaces.map((s: { name: string }) => s.name)).toContain('old_space');
        expect(report.snapshot).toBe('written next, if the disk has room');
        // the snapshot: complete, ours, announced, and analysed by run after the kill
        const snap = new RegExp(
          `heapwatch: rss-threshold heap snapshot: (${dir}/push-queue-${pid}-${STAMP}-rss-threshold\\.heapsnapshot) \\(`,
        );
        const [, snapshotPath] = err.match(snap) ?? expect.fail(err);
        expect(endsComplete(snapshotPath)).toBe(true);
        expect(mode(snapshotPath)).toBe(0o600);
        expect(err).toContain(`heapwatch: analysis of ${snapshotPath}:`);
        const analyze = startNode([CLI, 'analyze', snapshotPath], {}, work);
        expect((await analyze.exited).code).toBe(0);
        const suspect = analyze
          .stdout()
          .match(/Leak suspects\n {2}1\. [^\n]*\n[^\n]*× Buffer[^\n]*\n\s*path: ([^\n]*)/);
        expect(suspect?.[1], analyze.stdout().slice(0, 1500)).toMatch(/→ heldPushPayloads → \[\d+\] → Buffer$/);
      } finally {
        cg.remove();
      }
    },
    120_000,
  );

  it.skipIf(noCgroup)(
    `JS objects in a container too small for their snapshot: skipped with the reason, the heap profile names the leaking function${noCgroup ? ` (skipped: ${noCgroup})` : ''}`,
    async () => {
      const cg = createMemoryCgroup(200 * MB) as TestCgroup;
      try {
        const dir = tempDir('cgroup-objects');
        const app = writeApp(dir, 'orders.cjs', JS_LEAK_APP);
        const child = startNode(
          inCgroup(cg, [process.execPath, '--require', REGISTER_CJS, app]),
          { HEAPWATCH_DIR: dir, HEAPWATCH_SAMPLE: '1' },
          dir,
          '/bin/sh',
        );
        const { signal } = await child.exited;
        const err = child.stderr();
        expect(signal, err).toBe('SIGKILL');
        expect(cg.oomKills()).toBe(1);
        expect(err).toMatch(
          new RegExp(
            `heapwatch: rss-threshold heap snapshot skipped: a snapshot of [\\d.]+ MB of heap needs about [\\d.]+ [MG]B more memory, only [\\d.]+ MB is left under the 200\\.0 MB limit \\(cgroup v${cg.version} ${cg.limitFile}\\) at [\\d.]+ MB RSS\\n`,
          ),
        );
        expect(readdirSync(dir).filter((n) => n.includes('.heapsnapshot'))).toEqual([]);
        const pid = child.proc.pid!;
        const profiles = readdirSync(dir).filter((n) => n.endsWith('-rss-threshold.heapprofile'));
        expect(profiles).toHaveLength(1);
        expect(profiles[0]).toMatch(new RegExp(`^orders-${pid}-${STAMP}-rss-threshold\\.heapprofile$`));
        expect(mode(join(dir, profiles[0]))).toBe(0o600);
        expect(topSite(join(dir, profiles[0]))).toBe(`retainOrders ${app}:3`);
        // written before the report, which names it, its top sites, and why there is no snapshot
        const report = JSON.parse(
          readFileSync(join(dir, readdirSync(dir).find((n) => n.endsWith('-rss-threshold.memory.json'))!), 'utf8'),
        );
        expect(report.heapProfile).toBe(join(dir, profiles[0]));
        expect(report.topAllocationSites[0].site).toMatch(new RegExp(`^retainOrders ${app}:3:\\d+$`));
        expect(report.snapshot).toMatch(/^skipped: a snapshot of /);
        expect(err.indexOf('rss-threshold heap profile:')).toBeLessThan(err.indexOf('rss-threshold memory report:'));
      } finally {
        cg.remove();
      }
    },
    120_000,
  );

  it('without a container, HEAPWATCH_MAX_RSS (heapwatch run --max-rss) sets the limit; run prints report, profile and dump', async () => {
    const work = tempDir('max-rss');
    const dir = join(work, 'dumps');
    const app = writeApp(work, 'push-queue.cjs', BUFFER_LEAK_APP);
    const run = startNode(
      [CLI, 'run', '--dir', dir, '--max-rss', '300MB', '--sample', '--no-analyze', '--', process.execPath, app],
      // the leak is in Buffers' memory, outside V8's heap: their few V8 bytes get enough samples only at a finer interval
      { HEAPWATCH_RSS_THRESHOLD: '50%', LEAK_EXIT_AT_MB: '250', HEAPWATCH_SAMPLE_INTERVAL: '4096' },
      work,
    );
    const { code } = await run.exited;
    const err = run.stderr();
    expect(code, err).toBe(3);
    expect(err).toMatch(
      /heapwatch: rss-threshold memory report: \S+ \(RSS [\d.]+ MB of the 300\.0 MB limit \(HEAPWATCH_MAX_RSS\)\)\n/,
    );
    // after the exit, run prints what the guard left
    const after = err.slice(err.indexOf(`heapwatch: ${process.execPath} ${app} exited with code 3`));
    expect(after).toMatch(
      /heapwatch: rss-threshold memory report: \S+\.memory\.json\n {4}RSS [\d.]+ MB of 300\.0 MB \(HEAPWATCH_MAX_RSS\); heap used [\d.]+ MB; external [\d.]+ MB; array buffers [\d.]+ MB/,
    );
    expect(after).toMatch(/heapwatch: heap profile: \S+-rss-threshold\.heapprofile\n/);
    expect(after).toMatch(
      new RegExp(
        `heapwatch: top live allocation sites \\(sampled\\) in \\S+:\\n +[\\d.]+ [KM]B +[\\d.]+%  queuePayloads \\(${app}:4:\\d+\\)\\n`,
      ),
    );
    const [, snapshotPath] = after.match(/heapwatch: rss-threshold heap snapshot: (\S+) \(/) ?? expect.fail(err);
    expect(endsComplete(snapshotPath)).toBe(true);
  }, 60_000);

  it('heapwatch run --max-rss refuses what is not a size before starting anything', async () => {
    const dir = tempDir('max-rss-bad');
    const run = startNode([CLI, 'run', '--dir', dir, '--max-rss', 'lots', '--', process.execPath, '-e', '0'], {}, dir);
    expect((await run.exited).code).toBe(2);
    expect(run.stderr()).toBe('heapwatch: --max-rss lots: not a size (e.g. 512MB, 2G)\n');
  });

  it('bad settings and an unreadable cgroup file are one line each; signal snapshots still work, the app lives on', async () => {
    const dir = tempDir('bad-settings');
    const app = writeApp(dir, 'api.cjs', `process.stdout.write('ready\\n'); setInterval(() => {}, 1000);`);
    const env = {
      HEAPWATCH_DIR: dir,
      HEAPWATCH_SIGNAL: 'SIGUSR2',
      HEAPWATCH_RSS_THRESHOLD: '150%',
      HEAPWATCH_MAX_RSS: 'lots',
    };
    const node = [process.execPath, '--require', REGISTER_CJS, app];
    // an unreadable memory.limit_in_bytes: the guard runs as root without the capability to read past modes
    const cg = noCgroup ? null : (createMemoryCgroup(512 * MB) as TestCgroup);
    if (cg) chmodSync(cg.limitFile, 0);
    const noOverride = ['setpriv', '--bounding-set', '-dac_override,-dac_read_search', ...node];
    const child = cg ? startNode(inCgroup(cg, noOverride), env, dir, '/bin/sh') : startNode(node.slice(1), env, dir);
    try {
      await child.waitFor('stdout', /ready/);
      child.proc.kill('SIGUSR2');
      await child.waitFor('stderr', /signal heap snapshot: \S+ \(/);
      expect(child.proc.exitCode).toBe(null);
      const lines = child.stderr().trim().split('\n');
      expect(lines).toEqual([
        'heapwatch: HEAPWATCH_MAX_RSS=lots is not a size (e.g. 512MB, 2G); watching the container limit only',
        'heapwatch: HEAPWATCH_RSS_THRESHOLD=150% is not a share of the limit between 1% and 100%; using 85%',
        ...(cg
          ? [
              `heapwatch: memory watch: cannot read the memory cgroup's limit (EACCES: permission denied, open '${cg.limitFile}'); watching HEAPWATCH_MAX_RSS only`,
            ]
          : []),
        expect.stringMatching(/^heapwatch: signal heap snapshot: \S+-signal\.heapsnapshot \([\d.]+ MB\)$/),
      ]);
    } finally {
      child.proc.kill('SIGTERM');
      expect((await child.exited).signal).toBe('SIGTERM');
      cg?.remove();
    }
  });
});
