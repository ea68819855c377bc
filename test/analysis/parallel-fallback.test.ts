// The two-thread engine must give the one-thread engine's results whatever its worker does: die before it
// starts, or after any of the messages it sends (a worker can run out of memory at any point).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  classHistogram,
  closureTotals,
  prepareTreeTotals,
  splitTreeWalk,
  TreeWalker,
  treeWalkInput,
  walkUnits,
} from '../../src/analysis/histogram.js';
import { analyzeSnapshot, analyzeSnapshotParallel } from '../../src/analysis/index.js';
import { countStringCopies } from '../../src/analysis/strings.js';
import type { HeapAnalysis } from '../../src/analysis/types.js';
import { readSnapshot } from '../../src/snapshot/reader.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const realWorker = pathToFileURL(join(repo, 'dist/analysis/dominators-worker.js')).href;

let dir: string;
let file: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-fallback-'));
  file = join(dir, 'closures.heapsnapshot');
  execFileSync(process.execPath, [join(repo, 'fixtures/heaps/closures-and-listeners.mjs'), file]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A worker script: the real worker, which exits after sending `messages` messages (or fails to load). */
function dyingWorker(name: string, messages: number | 'throws'): URL {
  const script = join(dir, `${name}.mjs`);
  writeFileSync(
    script,
    messages === 'throws'
      ? 'throw new Error("boom");'
      : `import { parentPort } from 'node:worker_threads';
const post = parentPort.postMessage.bind(parentPort);
let sent = 0;
parentPort.postMessage = (m, t) => { post(m, t); if (++sent === ${messages}) process.exit(3); };
await import(${JSON.stringify(realWorker)});`,
  );
  return pathToFileURL(script);
}

function summary(a: HeapAnalysis) {
  return {
    dominators: Array.from(a.dominators),
    retained: Array.from(a.retainedSizes),
    children: Array.from(a.dominatorTree.children),
    histogram: classHistogram(a),
  };
}

describe('two-thread engine whose worker dies', () => {
  test.each([
    ['fails to load', 'throws', false],
    ['dies after the page-owned flags', 1, false],
    ['dies after the predecessor counts', 2, false],
    ['dies after the dominators, before the retained sizes', 3, false],
    ['dies after the retained sizes, before the paths', 4, false],
    ['dies after the paths, before the string copies', 5, true],
  ] as const)('%s: the same analysis as on one thread', async (name, messages, paths) => {
    const want = summary(analyzeSnapshot(await readSnapshot(file, { parallel: false })));
    const snapshot = await readSnapshot(file, { parallel: true });
    const workerScript = dyingWorker(name.replace(/\W+/g, '-'), messages);
    const a = await analyzeSnapshotParallel(snapshot, { parallelFromNodes: 0, rootPaths: true, workerScript });
    expect(summary(a)).toEqual(want);
    // what a worker that died did not send, the caller computes itself (findSuspects and duplicateStrings do
    // when given none)
    expect((await a.backgroundRootPaths()) !== null).toBe(paths);
    expect(await a.backgroundStringCopies()).toBeNull();
  });

  test('the real worker delivers the paths and string copies (the dying ones above are it cut short)', async () => {
    const snapshot = await readSnapshot(file, { parallel: true });
    const a = await analyzeSnapshotParallel(snapshot, { parallelFromNodes: 0, rootPaths: true });
    expect(await a.backgroundRootPaths()).not.toBeNull();
    const copies = await a.backgroundStringCopies();
    const here = countStringCopies(snapshot);
    expect(copies && { count: Array.from(copies.count), size: Array.from(copies.size) }).toEqual({
      count: Array.from(here.count),
      size: Array.from(here.size),
    });
  });
});

describe("the class histogram's walk shared by both threads (analyze's treeWalk)", () => {
  test('cut in units, walked in chunks by two walkers: the sums of one walk over the whole tree', async () => {
    const a = analyzeSnapshot(await readSnapshot(file, { parallel: false }));
    const split = splitTreeWalk(a.dominatorTree, a.retainedSizes, a.snapshot.rootOrdinal);
    expect(split).not.toBeNull();
    const { units, chunks, skip } = split!;
    // units below the root's children (ancestors to mark) and more than one chunk, or this proves little
    expect(Array.from(units).some((x) => a.dominators[x] !== a.snapshot.rootOrdinal)).toBe(true);
    expect(chunks.length).toBeGreaterThan(3);
    const whole = new TreeWalker(treeWalkInput(a));
    whole.walk([a.snapshot.rootOrdinal], 0, 1, null);
    // the nodes above the units, then every other chunk each, as the two threads claim them
    const one = new TreeWalker(treeWalkInput(a));
    const other = new TreeWalker(treeWalkInput(a));
    one.walk([a.snapshot.rootOrdinal], 0, 1, skip);
    for (let k = 0; k + 1 < chunks.length; k++) (k % 2 ? one : other).walk(units, chunks[k], chunks[k + 1], null);
    const [x, y, want] = [one.done(), other.done(), whole.done()];
    expect(Array.from(x.retained, (v, c) => v + y.retained[c])).toEqual(Array.from(want.retained));
    expect(Array.from(x.fnRetained, (v, f) => v + y.fnRetained[f])).toEqual(Array.from(want.fnRetained));
    // walkUnits claims every chunk once
    const claimed = new Uint8Array(chunks.length);
    walkUnits(new TreeWalker(treeWalkInput(a)), split!, claimed);
    expect(Array.from(claimed.subarray(0, chunks.length - 1)).every((c) => c === 1)).toBe(true);
  });

  test.each([
    ['with the paths', true, undefined],
    ['without the paths', false, undefined],
    ['the worker dies before its share (after the paths)', true, 5],
    ['the worker dies after its share, before the string copies', true, 6],
    ['the worker dies before its share (after the retained sizes)', false, 4],
  ] as const)('%s: the histogram of one thread', async (name, rootPaths, dies) => {
    const one = analyzeSnapshot(await readSnapshot(file, { parallel: false }));
    const want = { histogram: classHistogram(one), closures: closureTotals(one) };
    const snapshot = await readSnapshot(file, { parallel: true });
    const workerScript = dies ? dyingWorker(`walk-${name.replace(/\W+/g, '-')}`, dies) : undefined;
    const a = await analyzeSnapshotParallel(snapshot, {
      parallelFromNodes: 0,
      rootPaths,
      treeWalk: true,
      workerScript,
    });
    await prepareTreeTotals(a);
    expect({ histogram: classHistogram(a), closures: closureTotals(a) }).toEqual(want);
  });
});
