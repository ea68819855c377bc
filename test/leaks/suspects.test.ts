// Each leak fixture is a real program that leaks one way; its snapshot's top suspect must name the variable
// or property that holds the leak, the accumulation point and what accumulates there.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { type SuspectJson, suspectsJson } from '../../src/report/leak-findings.js';
import { analyzedRun } from '../helpers/snapshot-jobs.js';
import { fixtures, heapwatch, runFixture } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'heapwatch-leaks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FIXTURES = [
  'listeners.cjs',
  'cache.cjs',
  'timers.cjs',
  'promises.cjs',
  'resolvers.cjs',
  'promise-chain.cjs',
  'registry.cjs',
  'module-const.mjs',
  'script-const.cjs',
  'linked-list.cjs',
  'library.cjs',
  'closures.cjs',
  'two-indexes.cjs',
];
const jobs = new Map<string, Promise<SuspectJson[]>>();

/**
 * The suspects analyze --json reports for a fixture's snapshot: every fixture is started at once, two children
 * at a time, each snapshot analyzed in-process while the next fixture runs.
 */
async function suspectsOf(fixture: string): Promise<SuspectJson[]> {
  if (jobs.size === 0) {
    for (const f of FIXTURES) {
      const job = analyzedRun(process.execPath, join(fixtures, f), join(dir, `${f}.heapsnapshot`), (a) =>
        suspectsJson(a),
      );
      job.catch(() => {}); // reported by the test that awaits it
      jobs.set(f, job);
    }
  }
  const suspects = await jobs.get(fixture)!;
  expect(suspects.length).toBeGreaterThan(0);
  // ordered by retained size; every path starts at the root side and ends where the report says
  const sizes = suspects.map((x: SuspectJson) => x.retainedSize);
  expect([...sizes].sort((x, y) => y - x)).toEqual(sizes);
  return suspects;
}

/** The path's names in order must contain `names` as a run (consecutive steps). */
function expectPathRun(x: SuspectJson, names: string[]): void {
  expect(x.pathText).toContain(names.join(' → '));
}

describe('leak suspects on real leaking programs', () => {
  test('EventEmitter listeners: the emitter variable, its event array, the listener and its captured context', async () => {
    const [top] = await suspectsOf('listeners.cjs');
    expect(top).toMatchObject({ kind: 'object', className: 'EventEmitter', count: 1 });
    expect(top.percent).toBeGreaterThan(10);
    expectPathRun(top, ['orderEvents', '_events', 'order-updated']);
    expectPathRun(top, ['onOrderUpdated()', 'context', 'requestContext']);
    expect(top.accumulationPoint.className).toBe('Array');
    expect(top.holds[0]).toMatchObject({ className: 'onOrderUpdated()', count: 4000 });
    expect(top.path.at(-1)?.edge).toBe('requestContext');
  });

  test('unbounded cache Map: the module variable and the entry key', async () => {
    const [top] = await suspectsOf('cache.cjs');
    expect(top).toMatchObject({ kind: 'object', className: 'Map' });
    expect(top.accumulationPoint.className).toBe('Map');
    expect(top.holds[0]).toMatchObject({ className: 'Session', count: 4000 });
    expect(top.pathText).toMatch(/getSession\(\) → context → sessionCache → \['session-\d+'\] → Session$/);
  });

  test('setInterval timers: the timer list, the callback and the state it keeps', async () => {
    const [top] = await suspectsOf('timers.cjs');
    expect(top).toMatchObject({ kind: 'object', className: 'TimersList' });
    expect(top.holds[0]).toMatchObject({ className: 'Timeout', count: 4000 });
    expectPathRun(top, ['timerListMap', '[60000]', 'TimersList']);
    expectPathRun(top, ['_onTimeout', 'pollUpstream()', 'context', 'upstreamState']);
  });

  test('pending promises never settled: the promise variable, its reaction chain reported once', async () => {
    const [top] = await suspectsOf('promises.cjs');
    expect(top).toMatchObject({ kind: 'object', className: 'Promise' });
    expect(top.chain).toEqual({ links: 4000, className: 'PromiseReaction', period: 1 });
    expectPathRun(top, ['context', 'connectionReady', 'reactions_or_result']);
  });

  test('pending promises whose resolve functions wait in a queue: the queue variable and resolve()', async () => {
    const [top] = await suspectsOf('resolvers.cjs');
    expect(top).toMatchObject({ kind: 'object', className: 'Array' });
    expect(top.holds[0]).toMatchObject({ className: 'resolve()', count: 4000 });
    expect(top.pathText).toMatch(/context → waiters → \[\d+\] → resolve\(\) → context → Promise$/);
  });

  test('a recursive promise chain: reported once, as a chain of promise and reaction pairs, by its head', async () => {
    const [top] = await suspectsOf('promise-chain.cjs');
    expect(top.chain?.className).toBe('Promise → PromiseReaction');
    // 3,000 rounds of two chained promises each wait on the next round
    expect(top.chain?.links).toBeGreaterThanOrEqual(3000);
    expect(top.accumulationPoint.className).toBe('Promise');
    expect(top.pathText).toMatch(/exports → pool → ready$/);
  });

  test('static class field registry: the class and its static field', async () => {
    const [top] = await suspectsOf('registry.cjs');
    expect(top).toMatchObject({ kind: 'object', className: 'Array' });
    expect(top.holds[0]).toMatchObject({ className: 'Connection', count: 4000 });
    expect(top.pathText).toMatch(/ConnectionRegistry\(\) → connections → \[\d+\] → Connection$/);
  });

  test('module-level const in an ES module: the module (by its file) and its context variable', async () => {
    const [top] = await suspectsOf('module-const.mjs');
    expect(top).toMatchObject({ kind: 'object', className: 'Array' });
    expect(top.holds[0]).toMatchObject({ className: 'AuditEntry', count: 4000 });
    expect(top.pathText).toMatch(
      /SourceTextModule → module-const\.mjs \(module\) → context → auditLog → \[\d+\] → AuditEntry$/,
    );
  });

  test('top-level const of a classic script: the script context variable', async () => {
    const [top] = await suspectsOf('script-const.cjs');
    expect(top).toMatchObject({ kind: 'object', className: 'Array' });
    expect(top.holds[0]).toMatchObject({ className: 'Upload', count: 4000 });
    expect(top.pathText).toMatch(/script_context_table → Context → recentUploads → \[\d+\] → Upload$/);
  });

  test('linked list of requests: one suspect, the chain by its head, not the 3,000th link', async () => {
    const suspects = await suspectsOf('linked-list.cjs');
    expect(suspects.filter((x) => x.className === 'PendingRequest')).toEqual([]);
    const [top] = suspects;
    expect(top.kind).toBe('object');
    // 6,000 links: the last is held by requestQueue.tail too, so 5,999 form the dominator chain from the head
    expect(top.chain).toEqual({ links: 5999, className: 'PendingRequest', period: 1 });
    expect(top.accumulationPoint.className).toBe('PendingRequest');
    expectPathRun(top, ['requestQueue', 'head']);
    // the head has one holder (requestQueue.tail keeps the last link, not the head)
    expect(top.alsoHeldBy).toEqual([]);
  });

  test("third-party library's objects held from two places: a class suspect with a merged path", async () => {
    const [top] = await suspectsOf('library.cjs');
    expect(top).toMatchObject({ kind: 'class', className: 'Span', count: 4000 });
    expect(top.percent).toBeGreaterThan(10);
    expect(top.pathShare).toBeGreaterThan(0.5);
    expect(top.pathText).toMatch(/(recentRequests|spanIndex)$/);
    // the headline names the holder the merged path reaches; the other one is listed as also holding them all
    const holders = [top.holder?.name, ...top.alsoHeldBy.map((h) => h.name)].sort();
    expect(holders).toEqual(['recentRequests', 'spanIndex']);
    expect(top.alsoHeldBy[0].share).toBe(1);
    expect(top.headline).toContain(`most held by ${top.holder?.name} (`);
  });

  test('callbacks of one function held from two places: a class suspect for the function', async () => {
    const [top] = await suspectsOf('closures.cjs');
    expect(top).toMatchObject({ kind: 'class', className: 'onJobDone()', count: 4000 });
    expect(top.percent).toBeGreaterThan(10);
    expect(top.pathText).toMatch(/schedule\(\) → context → (completionQueue|callbacksById)$/);
    expect(top.samplePathText).toMatch(
      /context → (completionQueue → \[\d+\]|callbacksById → \[entry\]) → onJobDone\(\)$/,
    );
    const holders = [top.holder?.name, ...top.alsoHeldBy.map((h) => h.name)].sort();
    expect(holders).toEqual(['callbacksById', 'completionQueue']);
  });

  test('sessions indexed twice: the holder the path names, and the other index as also holding every one', async () => {
    const [top] = await suspectsOf('two-indexes.cjs');
    expect(top).toMatchObject({ kind: 'object', className: 'Object', holder: { name: 'sessions' } });
    expect(top.holds[0]).toMatchObject({ className: 'UserSession', count: 4000 });
    const [main] = top.pathText.match(/sessionsBy(Id|Token)/)!;
    const other = main === 'sessionsById' ? 'sessionsByToken' : 'sessionsById';
    expect(top.alsoHeldBy).toMatchObject([{ name: `sessions.${other}`, className: 'Map', share: 1 }]);
    expect(top.alsoHeldBy[0].pathText).toMatch(new RegExp(`exports → sessions → ${other}$`));
  });

  test("a server that does not leak has no suspect: Node's own registries and contexts are roots (the CLI's JSON)", () => {
    const snap = join(dir, 'no-leak.heapsnapshot');
    runFixture('no-leak.cjs', snap);
    const r = heapwatch('analyze', snap, '--json');
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.schema).toBe('heapwatch/analysis@1');
    expect(doc.suspects).toEqual([]);
  });
});
