// `heapwatch sample` against a real target whose allocation sites are known (fixtures/allocator.cjs). The target
// runs with --no-turbo-inlining so each function keeps its own frame: once TurboFan inlines leakOrder() into
// leakTimer(), V8 attributes its allocations to leakTimer (see the README).
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTER_CJS, removeTempDirs, tempDir } from '../guard/helpers.js';
import { afterOpenedNotice, killAll, runCli, startTarget, type Target } from '../live/helpers.js';
import { nodeBinary } from '../snapshot/node-versions.js';
import { ALLOCATOR, lineOf, startCli } from './helpers.js';

interface Site {
  function: string;
  url: string | null;
  line: number | null;
  column: number | null;
  selfBytes: number;
  samples: number;
  percent: number;
}

let dir: string;
let target: Target;
const leakOrder = lineOf(ALLOCATOR, 'function leakOrder(');
const churn = lineOf(ALLOCATOR, 'function churn(');
const fillCache = lineOf(ALLOCATOR, 'function fillCache(');
// V8 names a function by where its parameter list starts: `function leakOrder(` → the column of `(`
const at = (where: { line: number; column: number }, name: string) => ({
  function: name,
  url: ALLOCATOR,
  line: where.line,
  column: where.column + `function ${name}`.length,
});
const site = (sites: Site[], name: string) => sites.find((s) => s.function === name);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-sample-'));
  target = await startTarget(['--inspect-port=0', '--no-turbo-inlining'], ALLOCATOR);
});
afterAll(() => {
  killAll();
  removeTempDirs();
  rmSync(dir, { recursive: true, force: true });
});

describe('heapwatch sample (live)', () => {
  it('ranks the leaking function first by live bytes, not the churning one; -o, --html and --from agree', async () => {
    const profile = join(dir, 'live.heapprofile');
    const html = join(dir, 'live.html');
    const r = await runCli([
      'sample',
      String(target.pid),
      '--duration',
      '1500ms',
      '--json',
      '-o',
      profile,
      '--html',
      html,
    ]);
    expect(r.code).toBe(0);
    expect(afterOpenedNotice(r.stderr)).toMatch(
      /^heapwatch: sampling process \d+ for 1\.5 s over the inspector: .* per 32\.0 KB allocated/,
    );
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      schema: 'heapwatch/sample@1',
      target: `process ${target.pid}`,
      file: null,
      intervalBytes: 32768,
      includeCollected: false,
      targetExited: false,
      growth: null,
    });
    expect(report.durationMs).toBeGreaterThanOrEqual(1500);
    expect(report.totalLiveBytes).toBe(report.totalBytes);
    const sites = report.sites as Site[];
    expect(sites[0]).toMatchObject(at(leakOrder, 'leakOrder'));
    expect(sites[0].percent).toBeGreaterThan(80);
    expect(sites[0].samples).toBeGreaterThan(20);
    expect(site(sites, 'churn')).toBeUndefined();
    expect(sites.reduce((n, s) => n + s.selfBytes, 0)).toBeLessThanOrEqual(report.totalBytes);
    // the path to it: leakTimer → leakOrder, with the builtins it called (Array, fill, push) folded into it
    expect(report.paths[0].frames.map((f: Site) => f.function)).toEqual(['leakTimer', 'leakOrder']);
    expect(sites.some((s) => s.function === 'fill' || s.function === 'push')).toBe(false);

    // the written profile is V8's own format plus heapwatch's key, 0600, and reads back to the same report
    expect(statSync(profile).mode & 0o777).toBe(0o600);
    expect(statSync(html).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(profile, 'utf8'));
    expect(Object.keys(saved).sort()).toEqual(['head', 'heapwatch', 'samples']);
    expect(saved.head.callFrame.functionName).toBe('(root)');
    const again = await runCli(['sample', '--from', profile, '--json']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect({ ...JSON.parse(again.stdout), file: null }).toEqual(report);
    const text = await runCli(['sample', '--from', profile]);
    expect(text.stdout).toContain(`leakOrder (${ALLOCATOR}:${leakOrder.line}:`);
    expect(text.stdout).toContain('Sizes are estimates');
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('"function":"leakOrder"');
    expect(page).not.toMatch(/https?:\/\//);
    expect((await target.state()).inspectorUrl).toBeNull();
  });

  it('--include-collected counts the churn, and says it is churn', async () => {
    const r = await runCli(['sample', String(target.pid), '--duration', '1500ms', '--include-collected', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.includeCollected).toBe(true);
    expect(report.totalLiveBytes).toBeNull();
    const sites = report.sites as Site[];
    expect(sites[0]).toMatchObject(at(churn, 'churn'));
    expect(site(sites, 'leakOrder')).toMatchObject(at(leakOrder, 'leakOrder'));
    const text = await runCli(['sample', String(target.pid), '--duration', '200ms', '--include-collected']);
    expect(text.stdout).toContain('Allocated during sampling (churn / GC pressure) by allocation site');
  });

  it('growth mode flags the leaking site and not a cache filled once', async () => {
    const cli = startCli(['sample', String(target.pid), '--every', '800ms', '--count', '4', '--json']);
    await cli.stderrMatches(/sampling process \d+ for 4 profiles 0\.8 s apart/);
    expect(await target.ask('fill')).toBe('filled 64');
    const r = await cli.done;
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.growth.profiles).toBe(4);
    expect(report.growth.atMs).toHaveLength(4);
    const leak = report.growth.sites.find((s: Site) => s.function === 'leakOrder');
    expect(leak).toMatchObject({ ...at(leakOrder, 'leakOrder'), leakCandidate: true });
    expect(leak.growthBytes).toBeGreaterThan(0);
    expect(leak.bytesPerMinute).toBeGreaterThan(leak.growthBytes);
    expect(leak.steps).toHaveLength(4);
    for (let i = 1; i < 4; i++) expect(leak.steps[i]).toBeGreaterThan(leak.steps[i - 1]);
    // the cache's sampled arrays are in the last profile, but it did not grow at every step
    expect(site(report.sites, 'fillCache')).toMatchObject(at(fillCache, 'fillCache'));
    const cache = report.growth.sites.find((s: Site) => s.function === 'fillCache');
    expect(cache?.leakCandidate ?? false).toBe(false);
    const text = await runCli(['sample', String(target.pid), '--every', '300ms', '--count', '2']);
    expect(text.stdout).toMatch(/leakOrder \(.*\) {2}← leak candidate: grew at every step/);
  });

  it('Ctrl-C ends sampling early and still reports; a second sample meanwhile leaves the first alone', async () => {
    const cli = startCli(['sample', String(target.pid), '--duration', '2m', '--json']);
    await cli.stderrMatches(/sampling process/);
    // V8 has one sampling profiler per process: the second would silently share it, and stop it when done
    const second = await runCli(['sample', String(target.pid), '--duration', '100ms']);
    expect(second.code).toBe(1);
    expect(second.stderr).toBe(
      `heapwatch: process ${target.pid} is already running V8's sampling heap profiler (another heapwatch sample, the guard, or DevTools): heapwatch leaves it alone; try again when it has stopped\n`,
    );
    cli.child.kill('SIGINT');
    const r = await cli.done;
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.durationMs).toBeLessThan(120_000);
    expect(report.targetExited).toBe(false);
    expect(report.sites[0]).toMatchObject(at(leakOrder, 'leakOrder'));
    expect((await target.state()).inspectorUrl).toBeNull();
  });
});

describe('heapwatch sample on Node 24', () => {
  it('names the same leaking function', async () => {
    // Node 22 and 24 also inline in Maglev, their mid-tier compiler
    const args = ['--inspect-port=0', '--no-turbo-inlining', '--no-maglev-inlining'];
    const target24 = await startTarget(args, ALLOCATOR, {}, { node: nodeBinary(24) });
    const r = await runCli(['sample', String(target24.pid), '--duration', '1s', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).sites[0]).toMatchObject(at(leakOrder, 'leakOrder'));
    expect((await target24.state()).inspectorUrl).toBeNull();
  });
});

describe('heapwatch sample: a target that exits', () => {
  it('reports what was sampled until the target exited, and says so', async () => {
    // a Node that ends with a debugger attached waits for it to disconnect: heapwatch notices its context is gone
    const dying = await startTarget(['--inspect-port=0', '--no-turbo-inlining'], ALLOCATOR);
    const cli = startCli(['sample', String(dying.pid), '--duration', '1m']);
    await cli.stderrMatches(/sampling process/);
    dying.send('exit-in 2000');
    const r = await cli.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('The target exited during sampling: this report is what was sampled until it did.');
    // the time sampled ends at the exit (2 s after the message, plus however long a loaded machine takes to see it)
    const sampled = Number(/^heapwatch sample: process \d+, (\d+\.\d) s,/.exec(r.stdout)?.[1]);
    expect(sampled).toBeGreaterThanOrEqual(2);
    expect(sampled).toBeLessThan(60);
    expect(r.stdout).toContain(`leakOrder (${ALLOCATOR}:${leakOrder.line}:`);
  });

  it('fails in one line when the target is killed before any profile was read', async () => {
    const dying = await startTarget(['--inspect-port=0'], ALLOCATOR);
    const cli = startCli(['sample', String(dying.pid), '--duration', '1m']);
    await cli.stderrMatches(/sampling process/);
    dying.child.kill('SIGKILL');
    const r = await cli.done;
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter(Boolean).at(-1)).toMatch(
      new RegExp(`^heapwatch: process ${dying.pid} exited before heapwatch could read a profile$`),
    );
  });
});

describe("heapwatch sample of a guarded process: over the guard's socket", () => {
  let guarded: Target;
  beforeAll(async () => {
    const base = tempDir('sample-sock');
    const env = { TMPDIR: base, HEAPWATCH_DIR: base, XDG_RUNTIME_DIR: '' };
    guarded = await startTarget(['--no-turbo-inlining', '--require', REGISTER_CJS], ALLOCATOR, env);
  });

  it('names the leaking function at its line, with its samples counted, and never opens the inspector', async () => {
    // Ctrl-C ends it early and still reports; sampling stopped with it (else the next run would be refused)
    const cli = startCli(['sample', String(guarded.pid), '--duration', '2m']);
    await cli.stderrMatches(/over the guard's socket/);
    cli.child.kill('SIGINT');
    const early = await cli.done;
    expect(early.code, early.stderr).toBe(0);
    expect(early.stdout).toMatch(
      /^heapwatch sample: process \d+, \d+\.\d s, about one allocation sampled every 32\.0 KB\n/,
    );

    const r = await runCli(['sample', String(guarded.pid), '--duration', '1500ms', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /^heapwatch: sampling process \d+ for 1\.5 s over the guard's socket \(no inspector opened\): .* per 32\.0 KB/,
    );
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ target: `process ${guarded.pid}`, includeCollected: false, targetExited: false });
    expect(report.sites[0]).toMatchObject(at(leakOrder, 'leakOrder'));
    expect(report.sites[0].samples).toBeGreaterThan(20); // the guard sent the samples, not only the tree
    expect(report.paths[0].frames.map((f: Site) => f.function)).toEqual(['leakTimer', 'leakOrder']);

    // --include-collected reaches the guard's profiler: the churn comes first
    const churned = await runCli(['sample', String(guarded.pid), '--duration', '1s', '--include-collected', '--json']);
    expect(churned.code, churned.stderr).toBe(0);
    expect(JSON.parse(churned.stdout).sites[0]).toMatchObject(at(churn, 'churn'));

    expect(guarded.stderr()).not.toMatch(/Debugger listening/);
    expect((await guarded.state()).inspectorUrl).toBeNull();
  });

  it('--inspector still samples over the inspector, and closes it after', async () => {
    const r = await runCli(['sample', String(guarded.pid), '--duration', '1s', '--inspector', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(afterOpenedNotice(r.stderr)).toMatch(/^heapwatch: sampling process \d+ for 1\.0 s over the inspector: /);
    expect(JSON.parse(r.stdout).sites[0]).toMatchObject(at(leakOrder, 'leakOrder'));
    expect(guarded.stderr()).toMatch(/Debugger listening/);
    expect((await guarded.state()).inspectorUrl).toBeNull();
  });

  it('reports what was read when the target exits during sampling', async () => {
    const base = tempDir('sample-sock-exit');
    const env = { TMPDIR: base, HEAPWATCH_DIR: base, XDG_RUNTIME_DIR: '' };
    const dying = await startTarget(['--no-turbo-inlining', '--require', REGISTER_CJS], ALLOCATOR, env);
    const cli = startCli(['sample', String(dying.pid), '--duration', '1m']);
    await cli.stderrMatches(/over the guard's socket/);
    // the socket closes with the process: what is reported is the last checkpoint read, so it exits as the guard
    // is asked for the second one (the first answer has reached heapwatch by then), whatever the machine's load
    dying.send('exit-at-second-read');
    const r = await cli.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('The target exited during sampling: this report is what was sampled until it did.');
    expect(r.stdout).toContain(`leakOrder (${ALLOCATOR}:${leakOrder.line}:`);
    expect(dying.stderr()).not.toMatch(/Debugger listening/);
  });
});
