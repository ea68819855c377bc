// A real Node program that wastes memory in each way the waste section reports (fixtures/waste): analyze names
// each finding with the counts the program created. The same program without the waste (its `baseline` mode)
// gives what Node itself contributes, so every count below is exact.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { analyzeSnapshot, analyzeSnapshotParallel } from '../../src/analysis/index.js';
import { backgroundContextScan, type ContextScanRequest } from '../../src/analysis/waste/context-scan.js';
import { emptyCollections } from '../../src/analysis/waste/empty-collections.js';
import type { WastePrework } from '../../src/analysis/waste/index.js';
import { oversizedCollections } from '../../src/analysis/waste/oversized-collections.js';
import type { AnalysisReport } from '../../src/report/analysis-report.js';
import {
  addWaste,
  contextScanRequest,
  prepareWasteFindings,
  type WasteJson,
  wasteFindings,
} from '../../src/report/waste-report.js';
import { readSnapshot } from '../../src/snapshot/reader.js';
import { heapwatch } from '../leaks/helpers.js';
import { nodeBinary } from '../snapshot/node-versions.js';

const program = fileURLToPath(new URL('../../fixtures/waste/waste-program.cjs', import.meta.url));
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-waste-program-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the program with `node`, resolving once it has written its snapshot. */
function runProgram(node: string, ...args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [program, ...args], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`waste program failed (${code}): ${err}`))));
  });
}

/** What Node itself has of each kind (the baseline run), by finding title prefix. */
interface Baseline {
  Map: number;
  Set: number;
  Array: number;
  dictionary: number;
  oversized: number;
  oversizedBytes: number;
}

async function baselineOf(file: string): Promise<Baseline> {
  const base = { Map: 0, Set: 0, Array: 0, dictionary: 0, oversized: 0, oversizedBytes: 0 };
  const b = analyzeSnapshot(await readSnapshot(file));
  for (const f of emptyCollections(b, 1)) {
    const kind = (['Map', 'Set', 'Array'] as const).find((k) => f.title.includes(`empty ${k} `)) ?? 'dictionary';
    base[kind] = f.count;
  }
  for (const f of oversizedCollections(b)) {
    base.oversized = f.count;
    base.oversizedBytes = f.bytes;
  }
  return base;
}

// Node 22 and 24 (other V8 versions: other Map/Set tables, literal boilerplates) must give the same findings: the
// same assertions on one snapshot (and its baseline) per version, analyzed in-process; Node 20 through the CLI,
// whose text and HTML are checked too; Node 22 by the two-thread engine, the checks' first steps taken while it
// waits for its worker's dominators, as analyze takes them.
describe.each([20, 22, 24])('Node %i', (major) => {
  let waste: WasteJson;
  let base: Baseline;
  let text = '';
  let html = '';
  let scanRequest: ContextScanRequest | null = null;
  beforeAll(async () => {
    const node = major === 20 ? process.execPath : nodeBinary(major);
    const file = join(dir, `${major}-waste.heapsnapshot`);
    const baseline = join(dir, `${major}-baseline.heapsnapshot`);
    await Promise.all([runProgram(node, file), runProgram(node, baseline, 'baseline')]);
    base = await baselineOf(baseline);
    rmSync(baseline);
    if (major === 20) {
      const json = heapwatch('analyze', file, '--json', '--html', join(dir, 'report.html'));
      expect(json.code, json.err).toBe(0);
      waste = JSON.parse(json.out).waste;
      html = readFileSync(join(dir, 'report.html'), 'utf8');
      const plain = heapwatch('analyze', file, '--top', '3');
      expect(plain.code, plain.err).toBe(0);
      text = plain.out;
    } else if (major === 22) {
      // with the holder paths, as analyze asks: the worker thread then scans the closures' contexts for the
      // unused-context check at the end, and that check's findings join the others in addWaste
      let prework: WastePrework | undefined;
      const a = await analyzeSnapshotParallel(await readSnapshot(file, { parallel: true }), {
        parallelFromNodes: 0,
        rootPaths: true,
        whileWaiting: (early) => {
          prework = prepareWasteFindings(early);
          scanRequest = contextScanRequest(early, prework);
        },
        contextScan: () => scanRequest,
      });
      expect(prework).toBeDefined();
      const found = wasteFindings(a, prework);
      expect(found.filter((f) => f.kind === 'unused-context')).toEqual([]);
      expect(await backgroundContextScan(a, prework!.cands.closures)).not.toBeNull();
      waste = await addWaste({} as AnalysisReport, a, found);
    } else {
      waste = await addWaste({} as AnalysisReport, analyzeSnapshot(await readSnapshot(file)));
    }
    rmSync(file);
  }, 300_000);

  const finding = (title: string) => {
    const f = waste.findings.find((x) => x.title.includes(title));
    if (!f) throw new Error(`no finding "${title}" in ${waste.findings.map((x) => x.title).join('; ')}`);
    return f;
  };

  test('empty collections: 3,000 Maps, 2,000 Sets, 4,000 arrays, 1,500 emptied lookup objects, with their holder', () => {
    const maps = finding('empty Map objects');
    expect([maps.count, maps.sizeKind]).toEqual([3000 + base.Map, 'shallow']);
    expect(maps.examples[0].pathText).toMatch(/^\(global\) → wasteRegistry → emptyMaps → \[\d+\] → Map$/);
    expect(finding('empty Set objects').count).toBe(2000 + base.Set);
    expect(finding('empty Array objects').count).toBe(4000 + base.Array);
    const lookups = finding('empty objects used as maps');
    expect(lookups.count).toBe(1500 + base.dictionary);
    expect(lookups.examples[0].pathText).toMatch(/^\(global\) → wasteRegistry → emptyLookups → \[\d+\]$/);
  });

  test('oversized arrays: 50 stores of 20,000 slots holding 10 objects each', () => {
    const f = finding('far bigger than their contents');
    expect([f.count, f.bytes, f.sizeKind]).toEqual([
      50 + base.oversized,
      50 * 19_990 * 8 + base.oversizedBytes,
      'unused',
    ]);
    expect(f.examples[0].detail).toBe('capacity 20,000 slots, 10 in use (store 156.3 KB)');
    expect(f.examples[0].pathText).toMatch(/^\(global\) → wasteRegistry → oversized → \[\d+\]$/);
  });

  test('one-field objects: 5,000 pixels that differ only in x', () => {
    const f = finding('× {color} differ only in');
    // the 5,000 only: the template V8 may keep for the object literal (an AllocationSite's boilerplate) is left out
    expect(f.count).toBe(5000);
    for (const x of f.examples) expect(x.pathText).toMatch(/^\(global\) → wasteRegistry → pixels → \[\d+\]$/);
  });

  test('repeated strings: 3 strings of 200,001 characters, "abc-" repeated', () => {
    const f = finding('large strings that are one slice repeated');
    // each: 200,024 bytes (16 of header), less one 4-character slice
    expect([f.count, f.bytes]).toEqual([3, 3 * (200_024 - 16 - 4)]);
    expect(f.examples[0].detail).toBe('"abc-" (4 chars) repeated, 195.3 KB');
  });

  test('closures keeping an unused context variable: checked in handlers.cjs, not checked past 1,024 characters', () => {
    const checked = finding('they never use');
    // 20 arrays of 100,000 slots: 32 + 16 + 800,000 bytes each
    expect([checked.count, checked.bytes, checked.sizeKind]).toEqual([20, 20 * 800_048, 'retained']);
    expect(checked.examples[0].detail).toBe('20 × onTick() (handlers.cjs:6:25) keeps `history` and never mentions it');
    expect(checked.examples[0].pathText).toMatch(/^\(global\) → wasteRegistry → handlers → \[\d+\] → onTick\(\)$/);
    const unchecked = finding('not checked');
    expect([unchecked.count, unchecked.bytes]).toEqual([10, 10 * 400_048]);
    expect(unchecked.examples[0].detail).toMatch(/^10 × onEvent\(\) \(waste-program\.cjs:\d+:\d+\) keeps `buffer`$/);
  });

  test.runIf(major === 20)('text and HTML name every finding', () => {
    for (const f of waste.findings) {
      expect(text).toContain(f.title);
      expect(html).toContain(f.title.replace(/'/g, '&#39;'));
    }
    expect(text).toMatch(/^Waste \(memory spent on nothing/m);
    expect(html).toContain('<section id="waste">');
  });
});
