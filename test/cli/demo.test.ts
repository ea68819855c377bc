import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, removeTempDirs, startNode, tempDir } from '../guard/helpers.js';

const CLI = join(REPO, 'bin/heapwatch.js');
const MB = 1024 * 1024;

afterAll(removeTempDirs);

/** Gone for good: no such process, or only a zombie waiting for init to reap it. */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] === 'Z';
  } catch {
    return true;
  }
}

/** The first and last bytes of a file, as latin1 text. */
function ends(path: string, n: number): { head: string; tail: string } {
  const fd = openSync(path, 'r');
  try {
    const size = statSync(path).size;
    const head = Buffer.alloc(n);
    const tail = Buffer.alloc(n);
    readSync(fd, head, 0, n, 0);
    readSync(fd, tail, 0, n, size - n);
    return { head: head.toString('latin1'), tail: tail.toString('latin1') };
  } finally {
    closeSync(fd);
  }
}

interface DemoJson {
  schema: string;
  ok: boolean;
  problems: string[];
  dir: string;
  members: number;
  provider: { pid: number; url: string };
  leaky: {
    pid: number;
    exitCode: number;
    signal: string | null;
    heapExhausted: boolean;
    summary: unknown;
    recorded: number;
    live: { rows: number; peakOldUsed: number; error: string | null };
  };
  dump: { path: string; size: number; reason: string; complete: boolean; mode: number };
  analysis: {
    htmlReport: string;
    topSuspect: { retainedSize: number; percent: number; pathText: string; path: { edge: string }[] };
  };
  fixed: {
    pid: number;
    exitCode: number;
    summary: { members: number; recorded: number; outcomes: Record<string, number> };
    deliveredToProvider: number;
    live: { rows: number; peakOldUsed: number; error: string | null };
  };
  pids: number[];
}

describe('heapwatch demo', () => {
  it('plays the whole story for real: leak dies, dump names sendHistory, fixed sender delivers flat', async () => {
    const dir = tempDir('demo');
    const demo = startNode([CLI, 'demo', '--dir', dir, '--json'], {}, dir);
    const { code } = await demo.exited;
    const err = demo.stderr();
    expect(code, err).toBe(0);
    const lines = demo.stdout().trim().split('\n');
    expect(lines).toHaveLength(1); // nothing but the document on stdout
    const doc = JSON.parse(lines[0]) as DemoJson;
    expect(doc).toMatchObject({ schema: 'heapwatch/demo@1', ok: true, problems: [], dir, members: 200_000 });

    // the leaky sender ran out of heap before the campaign ended, while heapwatch watched it climb
    expect(doc.leaky.heapExhausted).toBe(true);
    expect(doc.leaky.signal).toBe('SIGABRT');
    expect(doc.leaky.exitCode).toBe(134);
    expect(doc.leaky.summary).toBeNull();
    expect(doc.leaky.recorded).toBeLessThan(200_000);
    // V8 names where the last allocation failed ("Reached heap limit" or, under load, "CALL_AND_RETRY_LAST"):
    // either is the heap exhausted, and the demo must show that line
    expect(err).toMatch(
      /FATAL ERROR: (Reached heap limit|CALL_AND_RETRY_LAST) Allocation failed - JavaScript heap out of memory/,
    );
    expect(doc.leaky.live.error).toBeNull();
    expect(doc.leaky.live.rows).toBeGreaterThan(2);
    expect(doc.leaky.live.peakOldUsed).toBeGreaterThan(48 * MB);
    expect(err).toMatch(/^ Timestamp +sent +recorded +OU +O%L +LIVE +RSS +YGC +FGC +GCT +GC%$/m);

    // a complete near-heap-limit dump, mode 0600, that heapwatch checked and analysed
    expect(doc.dump).toMatchObject({ reason: 'near-heap-limit', complete: true, mode: 0o600 });
    const dump = statSync(doc.dump.path);
    expect(dump.mode & 0o777).toBe(0o600);
    expect(dump.size).toBe(doc.dump.size);
    const { head, tail } = ends(doc.dump.path, 16);
    expect(head.startsWith('{"snapshot":')).toBe(true);
    expect(tail.trimEnd().endsWith('"]}')).toBe(true);
    const suspect = doc.analysis.topSuspect;
    expect(suspect.pathText).toMatch(/→ sendHistory → /);
    expect(suspect.path.map((s) => s.edge)).toContain('sendHistory');
    expect(suspect.percent).toBeGreaterThan(50);
    expect(err).toContain(`path: ${suspect.pathText}`);
    // after the suspect, the campaign's code that allocated what sendHistory keeps (the guard's heap profile)
    const campaignSites = doc.allocationSites
      .map((s: { site: string }) => s.site)
      .filter((site: string) => site.includes(`${join(REPO, 'fixtures/push-sender/leaky-campaign.mjs')}:`));
    expect(campaignSites.length).toBeGreaterThan(0);
    expect(err).toContain('allocated by (V8 sampling heap profiler in the sender');
    expect(err).toContain(campaignSites[0]);

    // the HTML report beside the dump
    expect(doc.analysis.htmlReport).toBe(doc.dump.path.replace(/\.heapsnapshot$/, '.html'));
    expect(statSync(doc.analysis.htmlReport).mode & 0o777).toBe(0o600);
    expect(readFileSync(doc.analysis.htmlReport, 'utf8')).toContain('sendHistory');
    expect(err).toContain(`HTML report:    ${doc.analysis.htmlReport}`);
    expect(err).toContain('Memory tab → Load profile');

    // the fixed sender: every member delivered and recorded, in the same heap, its old generation small
    expect(doc.fixed.exitCode).toBe(0);
    expect(doc.fixed.summary.recorded).toBe(200_000);
    expect(doc.fixed.deliveredToProvider).toBe(200_000);
    expect(Object.values(doc.fixed.summary.outcomes).reduce((a, b) => a + b, 0)).toBe(200_000);
    expect(doc.fixed.summary.outcomes.failed).toBe(0);
    expect(doc.fixed.live.error).toBeNull();
    expect(doc.fixed.live.rows).toBeGreaterThan(0);
    expect(doc.fixed.live.peakOldUsed).toBeLessThan(32 * MB);

    // every process the demo started is gone
    expect(new Set(doc.pids)).toEqual(new Set([doc.provider.pid, doc.leaky.pid, doc.fixed.pid]));
    expect(doc.pids.every((pid) => pid > 0)).toBe(true);
    for (const pid of doc.pids) expect(isGone(pid), `pid ${pid}`).toBe(true);
  }, 150_000);

  it('Ctrl-C while the leaky sender runs stops the provider and the sender, exit 130', async () => {
    const dir = tempDir('demo-int');
    const demo = startNode([CLI, 'demo', '--dir', dir], {}, dir);
    const provider = await demo.waitFor('stdout', /mock push provider: \S+ \(pid (\d+);/, 60_000);
    const sender = await demo.waitFor('stdout', /^ {3}pid (\d+): its heap and GC live/m, 60_000);
    await demo.waitFor('stdout', /^ Timestamp .*\n.*\n/m, 60_000); // attached and sampling
    const pids = [Number(provider[1]), Number(sender[1])];
    for (const pid of pids) expect(isGone(pid), `pid ${pid} before Ctrl-C`).toBe(false);
    demo.proc.kill('SIGINT'); // only heapwatch, as a signal from another process would reach it
    const { code } = await demo.exited;
    expect(code).toBe(130);
    expect(demo.stderr()).toMatch(/heapwatch: demo interrupted \(SIGINT\); stopping .*mock push provider/);
    for (const pid of pids) expect(isGone(pid), `pid ${pid} after Ctrl-C`).toBe(true);
  }, 90_000);

  it('says so and exits 1 when the story does not play out (a heap big enough for the campaign)', async () => {
    const dir = tempDir('demo-big');
    const demo = startNode([CLI, 'demo', '--dir', dir, '--members', '20000', '--heap', '512'], {}, dir);
    const { code } = await demo.exited;
    expect(code).toBe(1);
    expect(demo.stderr()).toContain(
      'heapwatch: demo did not play out as expected: the leaky sender completed all 20,000 members in a 512 MB heap',
    );
    expect(demo.stderr()).toContain('the leaky sender left no heap snapshot');
    const provider = demo.stdout().match(/mock push provider: \S+ \(pid (\d+);/);
    expect(isGone(Number(provider![1]))).toBe(true);
  }, 90_000);
});
