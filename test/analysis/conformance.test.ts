// Object by object against Chrome DevTools' own heap snapshot worker: real snapshots written by programs in
// fixtures/heaps/ with v8.writeHeapSnapshot, by this Node and by Node 22 and 24 (their layouts differ); every
// sampled object's name, class, shown self size, retained size and dominator, the root's children in order,
// and the whole class histogram must equal DevTools'.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { classHistogram } from '../../src/analysis/histogram.js';
import { ANALYSIS_PHASES, analyzeSnapshot, analyzeSnapshotParallel } from '../../src/analysis/index.js';
import { computeRootPaths } from '../../src/analysis/paths.js';
import { functionLocation } from '../../src/analysis/source-locations.js';
import type { HeapAnalysis } from '../../src/analysis/types.js';
import { readSnapshot } from '../../src/snapshot/reader.js';
import { canonical } from '../helpers/devtools-histogram.js';
import { compareWithOracle, type OracleResult, oracleUnavailable, runOracle } from '../helpers/devtools-oracle.js';
import { nodeBinary } from '../snapshot/node-versions.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = ['cache-and-classes', 'closures-and-listeners', 'weak-and-buffers'];
const THIS_NODE = Number(process.versions.node.split('.')[0]);
const CASES = [THIS_NODE, 22, 24]
  .filter((v, i, all) => all.indexOf(v) === i)
  .flatMap((major) => FIXTURES.map((fixture) => ({ major, fixture })));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-conf-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeSnapshot(major: number, fixture: string): string {
  const file = join(dir, `${fixture}-node${major}.heapsnapshot`);
  const node = major === THIS_NODE ? process.execPath : nodeBinary(major);
  execFileSync(node, [join(repo, 'fixtures/heaps', `${fixture}.mjs`), file], { stdio: 'inherit' });
  return file;
}

// offline (the DevTools package cannot be fetched) these skip, with the one reason printed once
describe.skipIf(oracleUnavailable()).each(CASES)('$fixture on Node $major', ({ major, fixture }) => {
  let file: string;
  let oracle: OracleResult;
  // one DevTools load answers both the objects and the Summary view (it used to parse each file twice)
  beforeAll(() => {
    file = writeSnapshot(major, fixture);
    oracle = runOracle(file, 2000, 50, { classes: true });
  }, 600_000);
  // the one-thread engine's reading and analysis of the file, shared by the tests that check it (the parallel
  // engine's test reads the file again its own way)
  let analyzed: Promise<HeapAnalysis> | undefined;
  const analysis = () => {
    analyzed ??= readSnapshot(file).then((s) => analyzeSnapshot(s));
    return analyzed;
  };
  afterAll(() => {
    analyzed = undefined;
  });

  test('engine equals DevTools on 2000 random objects, the 100 biggest, and the top-level dominators', async () => {
    const a = await analysis();
    expect(oracle.sample.length).toBe(2100);
    expect(compareWithOracle(a, oracle)).toEqual([]);
  });

  test("class histogram equals DevTools' Summary view, class by class (count, shallow, retained)", async () => {
    const ours = classHistogram(await analysis());
    const theirs = oracle.classes!;
    expect(ours.length).toBeGreaterThan(100);
    expect(canonical(ours)).toEqual(canonical(theirs));
  });

  test.runIf(major === THIS_NODE)('the two-thread engine (shared memory, worker) equals DevTools too', async () => {
    const snapshot = await readSnapshot(file, { parallel: true });
    expect(snapshot.edgeTargets.buffer).toBeInstanceOf(SharedArrayBuffer);
    const phases: string[] = [];
    const a = await analyzeSnapshotParallel(snapshot, {
      parallelFromNodes: 0,
      rootPaths: true,
      onPhase: (p) => phases.push(p),
    });
    // classes before dominators: this thread classified while the worker built the predecessors
    expect(phases).toEqual(['page-owned nodes', 'self sizes', 'classes', 'dominators', 'retained sizes']);
    // the one-thread engine reports the same phases in the same order (progress bars only move forward)
    const onePhases: string[] = [];
    analyzeSnapshot(snapshot, { onPhase: (p) => onePhases.push(p) });
    expect(onePhases).toEqual(phases);
    expect(ANALYSIS_PHASES).toEqual(phases);
    expect(compareWithOracle(a, oracle)).toEqual([]);
    // the holder paths the worker computed afterwards, in the dominator pass's leftover arrays, are this thread's
    const background = await a.backgroundRootPaths();
    const here = computeRootPaths(snapshot, { holderPaths: true });
    expect(background).not.toBeNull();
    expect(Array.from(background!.dist)).toEqual(Array.from(here.dist));
    expect(Array.from(background!.parentEdge)).toEqual(Array.from(here.parentEdge));
  });

  test("every closure's (script, line, column) equals DevTools' location map", async () => {
    const s = (await analysis()).snapshot;
    const theirs = new Map(oracle.locations.map(([id, script, line, column]) => [id, { script, line, column }]));
    const urlOfScript = new Map<number, string | null>();
    const problems: string[] = [];
    let located = 0;
    for (let o = 0; o < s.nodeCount; o++) {
      if (s.nodeTypeOf(o) !== s.nodeType.closure) continue;
      const id = s.nodeId(o);
      const ours = functionLocation(s, o);
      const want = theirs.get(id);
      theirs.delete(id);
      if (!ours || !want) {
        if (ours || want) problems.push(`@${id}: ours ${JSON.stringify(ours)}, DevTools ${JSON.stringify(want)}`);
        continue;
      }
      located++;
      if (ours.line !== want.line + 1 || ours.column !== want.column + 1) {
        problems.push(`@${id}: ours ${ours.line}:${ours.column}, DevTools ${want.line + 1}:${want.column + 1}`);
      }
      // DevTools names a script by id, heapwatch by the name in the heap: one name per script id
      if (!urlOfScript.has(want.script)) urlOfScript.set(want.script, ours.url);
      else if (urlOfScript.get(want.script) !== ours.url) {
        problems.push(`@${id}: script ${want.script} is ${ours.url} here, ${urlOfScript.get(want.script)} before`);
      }
    }
    for (const id of theirs.keys()) problems.push(`@${id}: only DevTools has a location`);
    expect(problems).toEqual([]);
    expect(located).toBeGreaterThan(1000);
    expect([...urlOfScript.values()].some((u) => u?.endsWith(`/fixtures/heaps/${fixture}.mjs`))).toBe(true);
  });

  test.runIf(major === THIS_NODE)('`heapwatch node --json` gives DevTools numbers for hundreds of ids at once', () => {
    const ids = [...new Set(oracle.sample.map((n) => n.id))].slice(0, 400);
    const out = execFileSync(
      process.execPath,
      [join(repo, 'bin/heapwatch.js'), 'node', file, ...ids.map(String), '--json', '--retainers', '1'],
      { encoding: 'utf8', maxBuffer: 64 << 20 },
    );
    const doc = JSON.parse(out);
    expect(doc.schema).toBe('heapwatch/nodes@1');
    const want = new Map(oracle.sample.map((n) => [n.id, n]));
    const mismatches = doc.nodes.filter((n: Record<string, unknown>) => {
      const w = want.get(n.id as number)!;
      return (
        n.className !== w.className ||
        n.selfSize !== w.selfSize ||
        n.retainedSize !== w.retainedSize ||
        n.dominatorId !== w.dominatorId
      );
    });
    expect(doc.nodes.length).toBe(ids.length);
    expect(mismatches).toEqual([]);
  });
});
