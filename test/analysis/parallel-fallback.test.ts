// The two-thread engine must give the one-thread engine's results whatever its worker does: die before it
// starts, or after any of the messages it sends (a worker can run out of memory at any point).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { classHistogram } from '../../src/analysis/histogram.js';
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
