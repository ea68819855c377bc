// Reloaded modules: copies of a module the module system no longer uses but something still keeps. A CJS hot
// reload (delete require.cache[file]; require(file)) leaves every old Module in the parent's module.children; a
// cache-busting dynamic import (import('./rules.mjs?v=' + n)) leaves every copy in the ES loader's cache. Both
// are reported as what they are, with exact counts, on Node 20, 22 and 24.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SuspectJson } from '../../src/report/leak-findings.js';
import { nodeBinary } from '../snapshot/node-versions.js';
import { heapwatch, runFixtureWith } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-reload-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The suspects in JSON, and on Node 20 the text too (the same report: one text check is enough). */
function analyzed(major: number, fixture: string): { json: SuspectJson[]; text: string } {
  const snap = join(dir, `${major}-${fixture}.heapsnapshot`);
  runFixtureWith(major === 20 ? process.execPath : nodeBinary(major), fixture, snap);
  const json = heapwatch('analyze', snap, '--json');
  expect(json.code).toBe(0);
  const text = major === 20 ? heapwatch('analyze', snap) : null;
  if (text) expect(text.code).toBe(0);
  return { json: JSON.parse(json.out).suspects, text: text?.out ?? '' };
}

describe.each([20, 22, 24])('Node %i', (major) => {
  test('CJS hot reload: 40 stale copies of pricing-rules.js kept by the parent module.children', () => {
    const { json, text } = analyzed(major, 'reload-cjs.cjs');
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
    });
    // each copy built its own 1,000 rules: all 40,000 are held, none by the current copy
    expect(top.holds[0]).toMatchObject({ className: 'PricingRule', count: 40_000 });
    expect(top.percent).toBeGreaterThan(50);
    expect(top.pathText).toMatch(/process → mainModule → children → \[\d+\] → Module$/);
    if (major === 20) {
      expect(text).toMatch(
        /\n {2}1\. 40 stale copies of pricing-rules\.js retain [\d.]+ MB \([\d.]+% of the heap\), kept by reload-cjs\.cjs's module\.children\n {5}the copies hold 40,000 × PricingRule /,
      );
    }
    // the rules inside the copies are not reported a second time as a class
    expect(json.filter((x) => x.className === 'PricingRule')).toEqual([]);
  });

  test('ESM cache-busting imports: 31 copies of rules.mjs (30 stale) kept by the loader', () => {
    const { json, text } = analyzed(major, 'reload-esm.mjs');
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
    if (major === 20)
      expect(text).toContain('  1. 31 copies of rules.mjs (30 stale, under cache-busting URLs) retain ');
  });
});
