// Small graphs written by hand, with every dominator and retained size worked out by hand below; DevTools'
// own worker is run on the same files to confirm the hand computation is its rule too.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ordinalsOfIds } from '../../src/analysis/graph.js';
import { classHistogram } from '../../src/analysis/histogram.js';
import { analyzeSnapshot, nodeName } from '../../src/analysis/index.js';
import type { HeapAnalysis } from '../../src/analysis/types.js';
import { readSnapshot } from '../../src/snapshot/reader.js';
import { compareWithOracle, oracleUnavailable, runOracle } from '../helpers/devtools-oracle.js';
import { DIAMOND_EDGES, DIAMOND_NODES, FOLDING_EDGES, FOLDING_NODES } from '../helpers/hand-graphs.js';
import { node, type TinyEdge, type TinyNode, writeTinySnapshot } from '../helpers/tiny-snapshot.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-hand-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** id → [dominator id, shown self size, retained size, class name] for every node. */
function table(a: HeapAnalysis): Record<number, [number, number, number, string]> {
  const s = a.snapshot;
  const out: Record<number, [number, number, number, string]> = {};
  for (let o = 0; o < s.nodeCount; o++) {
    out[s.nodeId(o)] = [s.nodeId(a.dominators[o]), a.selfSizes[o], a.retainedSizes[o], a.classNames[a.classOf[o]]];
  }
  return out;
}

async function analyze(name: string, nodes: TinyNode[], edges: TinyEdge[]) {
  const file = join(dir, `${name}.heapsnapshot`);
  writeTinySnapshot(file, nodes, edges);
  return { file, a: analyzeSnapshot(await readSnapshot(file)) };
}

// The graphs and their hand-worked numbers are in test/helpers/hand-graphs.ts.
describe('diamond, weak, shortcut, self edge, cycle, unreachable, page-owned rule', () => {
  const nodes = DIAMOND_NODES;
  const edges = DIAMOND_EDGES;

  test('dominators and retained sizes', async () => {
    const { a } = await analyze('diamond', nodes, edges);
    expect(table(a)).toEqual({
      1: [1, 0, 385, '(synthetic)'],
      3: [1, 0, 0, '(synthetic)'],
      5: [1, 100, 200, 'global'],
      7: [5, 10, 100, 'A'],
      9: [7, 20, 20, 'B'],
      11: [7, 30, 30, 'C'],
      13: [7, 40, 40, 'D'],
      15: [1, 50, 50, 'E'],
      17: [1, 60, 60, 'F'],
      19: [1, 70, 70, 'G'],
      21: [1, 5, 5, 'H'],
    });
    expect(a.totalSize).toBe(385);
    // the root's children, biggest first
    const top = Array.from(a.dominatorTree.childrenOf(0), (o) => a.snapshot.nodeId(o));
    expect(top).toEqual([5, 19, 17, 15, 21, 3]);
    // page-owned: reached from global over non-weak edges (H by its shortcut), not E (weak), F and G, the roots
    const owned = Array.from(a.pageOwned, (f, o) => (f ? a.snapshot.nodeId(o) : -1)).filter((id) => id >= 0);
    expect(owned).toEqual([5, 7, 9, 11, 13, 21]);
  });

  test.skipIf(oracleUnavailable())('DevTools computes the same', async () => {
    const { file, a } = await analyze('diamond', nodes, edges);
    expect(compareWithOracle(a, runOracle(file, 50, 20))).toEqual([]);
  });
});

describe('folded self sizes, WeakMap table edge, class histogram', () => {
  const nodes = FOLDING_NODES;
  const edges = FOLDING_EDGES;

  test('self sizes, dominators, retained sizes', async () => {
    const { a } = await analyze('folding', nodes, edges);
    expect(table(a)).toEqual({
      1: [1, 0, 312, '(synthetic)'],
      5: [1, 140, 300, 'global'],
      7: [5, 0, 0, '(array)'],
      9: [5, 16, 16, '(array)'],
      11: [5, 22, 22, 'X'],
      13: [11, 0, 0, '(system)'],
      15: [13, 0, 0, '(system)'],
      17: [1, 0, 12, '(synthetic)'],
      19: [17, 12, 12, '(system)'],
      27: [5, 52, 52, 'WeakMap'],
      29: [27, 0, 0, '(array)'],
      31: [5, 10, 40, 'Key'],
      33: [31, 30, 30, 'Value'],
      41: [5, 10, 30, 'Node'],
      43: [41, 10, 20, 'Node'],
      45: [43, 10, 10, 'Node'],
    });
  });

  test('histogram: zero-size objects left out, nested instances counted once', async () => {
    const { a } = await analyze('folding', nodes, edges);
    const rows = Object.fromEntries(classHistogram(a).map((r) => [r.className, r]));
    expect(rows.Node).toEqual({ className: 'Node', count: 3, shallowSize: 30, retainedSize: 30 });
    // props (0 after folding) and the table (0) are not counted; shared is
    expect(rows['(array)']).toEqual({ className: '(array)', count: 1, shallowSize: 16, retainedSize: 16 });
    // h3 is the only (system) node left with a size
    expect(rows['(system)']).toEqual({ className: '(system)', count: 1, shallowSize: 12, retainedSize: 12 });
    expect(rows['(synthetic)']).toBeUndefined();
  });

  test.skipIf(oracleUnavailable())('DevTools computes the same', async () => {
    const { file, a } = await analyze('folding', nodes, edges);
    expect(compareWithOracle(a, runOracle(file, 50, 20))).toEqual([]);
  });
});

describe('class names', () => {
  // o1 and o2 list properties a, b in that order: "{a, b}" is an interface (at least 2 objects start so);
  // o3 (b, a, c) has all of a and b, so it is a "{a, b}" too; o4 (z) matches none and stays "Object".
  const nodes = [
    node('root', 'synthetic', '', 1, 0),
    node('global', 'object', 'global', 3, 10),
    node('o1', 'object', 'Object', 5, 10),
    node('o2', 'object', 'Object', 7, 10),
    node('o3', 'object', 'Object', 9, 10),
    node('o4', 'object', 'Object', 11, 10),
    node('fn', 'closure', 'onOrderUpdated', 13, 10),
    node('code', 'code', 'system / Code', 15, 10),
    node('str', 'string', 'hello', 17, 10),
    node('cons', 'concatenated string', '', 19, 10),
    node('str2', 'string', ' world', 21, 10),
    node('div', 'native', '<div id="x">', 23, 10),
    node('re', 'regexp', '/x+/', 25, 10),
    node('num', 'number', 'heap number', 27, 10),
  ];
  const edges: TinyEdge[] = [
    ['root', 'shortcut', 'global', 'global'],
    ...(['o1', 'o2', 'o3', 'o4', 'fn', 'code', 'cons', 'div', 're', 'num'].map((k) => [
      'global',
      'property',
      k,
      k,
    ]) as TinyEdge[]),
    ['o1', 'property', 'a', 'str'],
    ['o1', 'property', 'b', 'str'],
    ['o2', 'property', 'a', 'str'],
    ['o2', 'property', 'b', 'str'],
    ['o3', 'property', 'b', 'str'],
    ['o3', 'property', 'a', 'str'],
    ['o3', 'property', 'c', 'str'],
    ['o4', 'property', 'z', 'str'],
    ['cons', 'internal', 'first', 'str'],
    ['cons', 'internal', 'second', 'str2'],
  ];

  test('as DevTools names them', async () => {
    const { a } = await analyze('names', nodes, edges);
    const s = a.snapshot;
    const byId = (id: number) => ordinalsOfIds(s, [id])[0];
    const cls = (id: number) => a.classNames[a.classOf[byId(id)]];
    expect([5, 7, 9, 11].map(cls)).toEqual(['{a, b}', '{a, b}', '{a, b}', 'Object']);
    expect([13, 15, 17, 19, 23, 25, 27].map(cls)).toEqual([
      'Function',
      '(compiled code)',
      '(string)',
      '(concatenated string)',
      '<div>',
      'RegExp',
      '(number)',
    ]);
    expect(nodeName(a, byId(19))).toBe('hello world');
    expect(nodeName(a, byId(9))).toBe('{b, a, c}');
    expect(nodeName(a, byId(11))).toBe('{z}');
  });

  test.skipIf(oracleUnavailable())('DevTools computes the same', async () => {
    const { file, a } = await analyze('names', nodes, edges);
    expect(compareWithOracle(a, runOracle(file, 50, 20))).toEqual([]);
  });
});
