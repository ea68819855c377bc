// The MCP server's memory of loaded analyses: sizes from typed arrays, least recently used dropped first, an
// analysis bigger than the budget not kept, a changed file loaded again, one load shared by concurrent calls.
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { HeapAnalysis } from '../../src/analysis/types.js';
import { AnalysisCache } from '../../src/mcp/analysis-cache.js';
import { estimateBytes, parseSize } from '../../src/mcp/memory-size.js';

let dir: string;
const MB = 2 ** 20;
/** File name → bytes of the stand-in analysis its load returns. */
const sizes: Record<string, number> = { a: 4 * MB, b: 4 * MB, c: 4 * MB, huge: 20 * MB };
const path = (name: string) => join(dir, `${name}.heapsnapshot`);
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-mcp-cache-'));
  for (const name of Object.keys(sizes)) writeFileSync(path(name), name);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A cache of 10 MB whose loader returns typed arrays of the file's size and counts its calls. */
function cache() {
  const loaded: string[] = [];
  const c = new AnalysisCache(10 * MB, async (file) => {
    loaded.push(file);
    const name = file.slice(dir.length + 1, -'.heapsnapshot'.length);
    return {
      analysis: { snapshot: { nodes: new Uint8Array(sizes[name]) } } as unknown as HeapAnalysis,
      source: 'snapshot' as const,
    };
  });
  return { c, loaded };
}

describe('AnalysisCache', () => {
  test('hit after load; the least recently used goes when the budget is full', async () => {
    const { c, loaded } = cache();
    expect((await c.get(path('a'))).cache).toBe('loaded');
    expect((await c.get(path('a'))).cache).toBe('hit');
    await c.get(path('b'));
    await c.get(path('a')); // a used after b: b is now the oldest
    await c.get(path('c')); // 12 MB > 10 MB: b goes
    expect(c.stats().entries.map((e) => e.file)).toEqual([path('a'), path('c')]);
    expect((await c.get(path('a'))).cache).toBe('hit');
    const again = await c.get(path('b'));
    expect(again).toMatchObject({ cache: 'loaded', entry: { loadNumber: 2, bytes: 4 * MB } });
    expect(loaded).toEqual([path('a'), path('b'), path('c'), path('b')]);
    expect(c.stats()).toMatchObject({ bytes: 8 * MB, loads: 4 });
  });

  test('bigger than the whole budget: answers, is not kept, evicts nothing', async () => {
    const { c } = cache();
    await c.get(path('a'));
    const huge = await c.get(path('huge'));
    expect(huge.entry.bytes).toBe(20 * MB);
    expect(c.stats().entries.map((e) => e.file)).toEqual([path('a')]);
    expect((await c.get(path('huge'))).cache).toBe('loaded');
  });

  test('a file that changed is loaded again and its old analysis dropped', async () => {
    const { c } = cache();
    await c.get(path('c'));
    const later = new Date(Date.now() + 60_000);
    utimesSync(path('c'), later, later);
    expect((await c.get(path('c'))).entry.loadNumber).toBe(2);
    expect(c.stats().entries).toHaveLength(1);
  });

  test('concurrent calls on one file share one load', async () => {
    const { c, loaded } = cache();
    const answers = await Promise.all([c.get(path('a')), c.get(path('a')), c.get(path('a'))]);
    expect(answers.map((x) => x.cache)).toEqual(['loaded', 'hit', 'hit']);
    expect(new Set(answers.map((x) => x.entry)).size).toBe(1);
    expect(loaded).toEqual([path('a')]);
  });

  test('estimateBytes counts each buffer once, strings by length; parseSize reads units of 1024', () => {
    const shared = new Float64Array(1000);
    expect(estimateBytes({ x: shared, y: shared.subarray(10), z: { deep: new Uint32Array(250) } })).toBe(9000);
    expect(estimateBytes({ names: ['abcd', 'ef'] })).toBe(16 + 4 + 16 + 2);
    expect([parseSize('512MB'), parseSize('2GB'), parseSize('1.5g'), parseSize('4096')]).toEqual([
      512 * MB,
      2 * 1024 * MB,
      1.5 * 1024 * MB,
      4096,
    ]);
    expect([parseSize('lots'), parseSize('0'), parseSize('-1MB')]).toEqual([undefined, undefined, undefined]);
  });
});
