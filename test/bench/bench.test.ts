import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM JavaScript without types (bench/ runs without a build step)
import { compare } from '../../bench/check.js';
// @ts-expect-error plain ESM JavaScript without types
import { lastJson, measure } from '../../bench/measure.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwatch-bench-test-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('bench workload', () => {
  it('writes a snapshot with the shapes the bench is meant to have, in the expected numbers', () => {
    const file = path.join(work, 'orders.heapsnapshot');
    const gen = spawnSync(process.execPath, [path.join(root, 'bench/workload.js'), '200', file], { encoding: 'utf8' });
    expect(gen.status).toBe(0);
    const histo = spawnSync(process.execPath, [path.join(root, 'bin/heapwatch.js'), 'histo', file, '--json'], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    expect(histo.status).toBe(0);
    const count = new Map<string, number>(
      JSON.parse(histo.stdout).classes.map((c: { className: string; count: number }) => [c.className, c.count]),
    );
    expect(count.get('Order')).toBe(200);
    expect(count.get('LineItem')).toBe(600);
    expect(count.get('Customer')).toBe(10);
    expect(count.get('RequestLink')).toBe(100); // every 2nd order is queued
    // every 4th order's context also holds the never-called resolver
    expect(count.get('{requestId, url, headers, body, settle}')).toBe(50);
    expect(count.get('Promise')).toBeGreaterThanOrEqual(100); // 50 pending + 50 reactions on them
    expect(count.get('EventEmitter')).toBeGreaterThanOrEqual(64);
    expect(count.get('Float64Array')).toBeGreaterThanOrEqual(26); // 25 sample arrays + the price table
  });
});

describe('bench correctness check', () => {
  const obj = (id: number, retainedSize: number) => ({
    id,
    className: 'Order',
    selfSize: 104,
    retainedSize,
    dominatorId: 1,
  });
  const oracle = {
    nodeCount: 10,
    totalSize: 5000,
    topLevelDominators: [obj(3, 900), obj(5, 700)],
    sample: [obj(5, 700), obj(7, 300), obj(9, 200)],
    ids: { 3: obj(3, 900) },
  };

  it('counts nothing when heapwatch agrees object by object', () => {
    const nodes = new Map(
      [3, 5, 7, 9].map((id) => [id, obj(id, id === 3 ? 900 : id === 5 ? 700 : id === 7 ? 300 : 200)]),
    );
    const r = compare({
      analysis: { snapshot: { nodeCount: 10, totalSize: 5000 }, dominators: [obj(3, 900)] },
      nodes,
      oracle,
    });
    // 2 totals + 1 dominator + 2 top-level + 3 sample (5 is in both, checked once per list)
    expect(r).toMatchObject({ checked: 8, mismatches: 0 });
  });

  it('counts each object that differs in any field, and each missing one', () => {
    const nodes = new Map([
      [3, obj(3, 900)],
      [5, { ...obj(5, 700), dominatorId: 3 }],
      [7, obj(7, 301)],
    ]);
    const r = compare({ analysis: { snapshot: { nodeCount: 10, totalSize: 4999 }, dominators: [] }, nodes, oracle });
    // totalSize, node 5 in top-level and in the sample, node 7, node 9 missing
    expect(r.mismatches).toBe(5);
    expect(r.details).toContain('totalSize: 4999 ≠ DevTools 5000');
    expect(r.details).toContain('sample @7 Order: retainedSize 301 ≠ DevTools 300');
    expect(r.details).toContain('sample @9 Order: missing from heapwatch');
  });
});

describe('bench measurement', () => {
  it('reports the peak RSS of the child and keeps a large JSON line whole', async () => {
    const script = `const b = Buffer.alloc(256 << 20, 1); console.log(JSON.stringify({ big: 'x'.repeat(1 << 20), n: b.length })); process.exit(0);`;
    const r = await measure(process.execPath, ['-e', script]);
    expect(r.exitCode).toBe(0);
    expect(r.peakRssBytes).toBeGreaterThan(256 * 1024 * 1024);
    const out = lastJson(r.stdout);
    expect(out.n).toBe(256 << 20);
    expect(out.big.length).toBe(1 << 20);
  });
});
