// `heapwatch diff` on three snapshots of one real process (a leaking cache and freed scratch objects), and
// duplicate strings on a real program that builds one value 500 times.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { heapwatch, runFixture } from './helpers.js';

let dir: string;
let first: string;
let second: string;
let third: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-diff-'));
  [first, second, third] = ['first', 'second', 'third'].map((n) => join(dir, `${n}.heapsnapshot`));
  runFixture('growth.cjs', first, second, third, '2000');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('diff', () => {
  test('two snapshots: per class change in count, shallow and retained size', () => {
    const r = heapwatch('diff', first, second, '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.schema).toBe('heapwatch/diff@1');
    expect(doc.snapshots.map((s: { path: string }) => s.path)).toEqual([first, second]);
    expect(doc.totalGrowth).toBe(doc.snapshots[1].totalSize - doc.snapshots[0].totalSize);
    expect(doc.growth).toBe(doc.totalGrowth);
    const invoice = doc.classes.find((c: { className: string }) => c.className === 'Invoice');
    // 2,000 invoices cached in the round between the snapshots, none before
    expect(invoice).toMatchObject({ countBefore: 0, countAfter: 2000, countDelta: 2000 });
    expect(invoice.shallowDelta).toBeGreaterThan(0);
    expect(invoice.retainedDelta).toBeGreaterThan(invoice.shallowDelta);
    // the scratch objects of the round were freed
    expect(doc.classes.find((c: { className: string }) => c.className === 'Scratch')).toBeUndefined();
    const shallow = doc.classes.map((c: { shallowDelta: number }) => c.shallowDelta);
    expect([...shallow].sort((x, y) => y - x)).toEqual(shallow);
  });

  test('three snapshots: the leak list finds the leaking class and the variable that holds it', () => {
    const r = heapwatch('diff', first, second, third, '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    const [top] = doc.leaks;
    expect(top).toMatchObject({ className: 'Invoice', count: 2000 });
    expect(top.pathText).toMatch(/invoiceCache → \['inv-\d+'\] → Invoice$/);
    expect(doc.leaks.find((g: { className: string }) => g.className === 'Scratch')).toBeUndefined();
    expect(doc.growth).toBe(doc.leakedSize);
    // only the first round's invoices (ids absent from the first snapshot, present in the second) count
    expect(doc.leakedSize).toBeLessThan(doc.totalGrowth);

    const text = heapwatch('diff', first, second, third, '--top', '3');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/ {2}\s*[\d.]+ [KM]B {4}2,000 × Invoice\n\s+.*invoiceCache → \['inv-\d+'\] → Invoice\n/);
  });

  test('--fail-on-growth: exit 1 over the bound, 0 under it, 2 for a bad bound', () => {
    const over = heapwatch('diff', first, second, '--fail-on-growth', '1000');
    expect(over.code).toBe(1);
    expect(over.err).toMatch(/^heapwatch: growth \d+ bytes is over the bound of 1000 bytes\n$/);
    expect(heapwatch('diff', first, second, '--fail-on-growth', '1000000000').code).toBe(0);
    expect(heapwatch('diff', first, second, third, '--fail-on-growth', '1000', '--json').code).toBe(1);
    expect(heapwatch('diff', first, second, '--fail-on-growth', 'lots').code).toBe(2);
  });

  test('a bad snapshot is bad input: exit 2, one line', () => {
    const r = heapwatch('diff', first, join(dir, 'missing.heapsnapshot'));
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toHaveLength(2);
    expect(r.err).toMatch(/^heapwatch: /);
  });
});

describe('duplicate strings', () => {
  test('one value built 500 times: count 500, wasted 499 copies', () => {
    const snap = join(dir, 'strings.heapsnapshot');
    runFixture('strings.cjs', snap);
    const doc = JSON.parse(heapwatch('analyze', snap, '--json').out);
    const row = doc.duplicateStrings.find((d: { value: string }) => d.value === 'application/vnd.heapwatch.order+json');
    expect(row).toBeDefined();
    expect(row.count).toBe(500);
    expect(row.wastedSize).toBe(499 * row.selfSize);
    const wasted = doc.duplicateStrings.map((d: { wastedSize: number }) => d.wastedSize);
    expect([...wasted].sort((x, y) => y - x)).toEqual(wasted);
    const text = heapwatch('analyze', snap).out;
    expect(text).toContain('Duplicate strings (same value held more than once)');
    expect(text).toMatch(/ {6}500 +\d+ B {2}"application\/vnd\.heapwatch\.order\+json"\n/);
  });
});
