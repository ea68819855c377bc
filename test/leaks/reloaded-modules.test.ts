// Reloaded modules: copies of a module the module system no longer uses but something still keeps. A CJS hot
// reload (delete require.cache[file]; require(file)) leaves every old Module in the parent's module.children; a
// cache-busting dynamic import (import('./rules.mjs?v=' + n)) leaves every copy in the ES loader's cache. Both
// are reported as what they are, with exact counts, on Node 20, 22 and 24.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { type SuspectJson, suspectsJson } from '../../src/report/leak-findings.js';
import { suspectsText } from '../../src/report/leak-text.js';
import { analyzedRun } from '../helpers/snapshot-jobs.js';
import { nodeBinary } from '../snapshot/node-versions.js';
import { fixtures } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'heapwatch-reload-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FIXTURES = ['reload-cjs.cjs', 'reload-esm.mjs'];
const jobs = new Map<string, Promise<{ json: SuspectJson[]; text: string }>>();

/**
 * The suspects as analyze --json gives them, and their text (the same report analyze prints). All six snapshots
 * are started at once, two children at a time, each analyzed in-process while the next one runs.
 */
function analyzed(major: number, fixture: string): Promise<{ json: SuspectJson[]; text: string }> {
  if (jobs.size === 0) {
    for (const m of [20, 22, 24]) {
      for (const f of FIXTURES) {
        const node = m === 20 ? process.execPath : nodeBinary(m);
        const job = analyzedRun(node, join(fixtures, f), join(dir, `${m}-${f}.heapsnapshot`), (a) => {
          const json = suspectsJson(a);
          return { json, text: suspectsText(json) };
        });
        job.catch(() => {}); // reported by the test that awaits it
        jobs.set(`${m}-${f}`, job);
      }
    }
  }
  return jobs.get(`${major}-${fixture}`)!;
}

describe.each([20, 22, 24])('Node %i', (major) => {
  test('CJS hot reload: 40 stale copies of pricing-rules.js kept by the parent module.children and a reload log', async () => {
    const { json, text } = await analyzed(major, 'reload-cjs.cjs');
    const [top] = json;
    expect(top).toMatchObject({
      kind: 'module',
      className: 'Module',
      count: 40,
      module: {
        system: 'commonjs',
        file: expect.stringMatching(/\/fixtures\/leaks\/reload\/pricing-rules\.js$/),
        copies: 40,
        stale: 40,
        heldBy: "reload-cjs.cjs's module.children",
      },
      holder: { name: 'mainModule.children', className: 'Array' },
      // the reload log keeps every stale copy as well: emptying module.children alone would not free them
      alsoHeldBy: [{ name: 'reloadLog', className: 'Array', share: 1 }],
    });
    expect(top.alsoHeldBy).toHaveLength(1);
    // each copy built its own 1,000 rules: all 40,000 are held, none by the current copy
    expect(top.holds[0]).toMatchObject({ className: 'PricingRule', count: 40_000 });
    expect(top.percent).toBeGreaterThan(50);
    expect(top.pathText).toMatch(/process → mainModule → children → \[\d+\] → Module$/);
    expect(text).toMatch(/\n {5}also held by reloadLog \(Array @\d+\), 100% of sampled objects: .* → reloadLog\n/);
    if (major === 20) {
      expect(text).toMatch(
        /\n {2}1\. 40 stale copies of pricing-rules\.js retain [\d.]+ MB \([\d.]+% of the heap\), kept by reload-cjs\.cjs's module\.children\n {5}the copies hold 40,000 × PricingRule /,
      );
    }
    // the rules inside the copies are not reported a second time as a class
    expect(json.filter((x) => x.className === 'PricingRule')).toEqual([]);
  });

  test('ESM cache-busting imports: 31 copies of rules.mjs (30 stale) kept by the loader', async () => {
    const { json, text } = await analyzed(major, 'reload-esm.mjs');
    const [top] = json;
    expect(top).toMatchObject({
      kind: 'module',
      className: 'ModuleWrap',
      count: 31,
      module: {
        system: 'esm',
        file: expect.stringMatching(/^file:\/\/.*\/fixtures\/leaks\/reload\/rules\.mjs$/),
        copies: 31,
        stale: 30,
        heldBy: "the ES module loader's LoadCache",
      },
    });
    // the 30 old copies' rules; the newest copy's rules are held by the program's own variable too
    expect(top.holds[0]).toMatchObject({ className: 'DiscountRule', count: 30_000 });
    expect(top.pathText).toMatch(/loadCache → \['file:\/\/\/.*'\] → javascript → module$/);
    // nothing but the loader keeps the module records
    expect(top.alsoHeldBy).toEqual([]);
    if (major === 20)
      expect(text).toContain('  1. 31 copies of rules.mjs (30 stale, under cache-busting URLs) retain ');
  });
});
