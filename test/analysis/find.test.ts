// find (objects by class, or reached by a property/variable name) on a hand-made graph whose retained sizes are
// known, and node ids to ordinals by both of ordinalsOfIds' ways; `heapwatch find`, the command, on the same file.
import { beforeAll, describe, expect, test } from 'vitest';
import { findByClass, findByName } from '../../src/analysis/find.js';
import { ordinalsOfIds } from '../../src/analysis/graph.js';
import { analyzeSnapshot } from '../../src/analysis/index.js';
import type { HeapAnalysis } from '../../src/analysis/types.js';
import { buildFindReport } from '../../src/report/find-report.js';
import { readSnapshot } from '../../src/snapshot/reader.js';
import { handGraphFile } from '../helpers/hand-graphs.js';
import { node, type TinyEdge, type TinyNode } from '../helpers/tiny-snapshot.js';
import { heapwatch } from '../leaks/helpers.js';

// root ─shortcut→ global ─cache→ M ─table→ T ─[0]→ S1 (30), ─[1]→ S2 (20), ─[2]→ S3 (10)
//                 global ─holder→ H ─cache→ S2      (S2 then has two retainers: dominated by global)
//                 global ─ctx→ C ═context cache═→ S3 (S3 dominated by global too)
//                 global ─weak cache→ W             (weak: never a match by name; W hangs off the root)
// Retained: M = 40 + 16 + 30 = 86, S2 = 20, S3 = 10, W = 5.
const NODES: TinyNode[] = [
  node('root', 'synthetic', '', 1, 0),
  node('global', 'object', 'global', 3, 100),
  node('M', 'object', 'Map', 5, 40),
  node('T', 'array', '', 7, 16),
  node('S1', 'object', 'Session', 9, 30),
  node('S2', 'object', 'Session', 11, 20),
  node('S3', 'object', 'Session', 13, 10),
  node('H', 'object', 'Holder', 15, 8),
  node('C', 'object', 'Context', 17, 8),
  node('W', 'object', 'Session', 19, 5),
];
const EDGES: TinyEdge[] = [
  ['root', 'shortcut', 'global', 'global'],
  ['global', 'property', 'cache', 'M'],
  ['global', 'property', 'holder', 'H'],
  ['global', 'property', 'ctx', 'C'],
  ['global', 'weak', 'cache', 'W'],
  ['M', 'internal', 'table', 'T'],
  ['T', 'element', 0, 'S1'],
  ['T', 'element', 1, 'S2'],
  ['T', 'element', 2, 'S3'],
  ['H', 'property', 'cache', 'S2'],
  ['C', 'context', 'cache', 'S3'],
];

const file = handGraphFile('heapwatch-find-', 'find.heapsnapshot', NODES, EDGES);
let a: HeapAnalysis;
beforeAll(async () => {
  a = analyzeSnapshot(await readSnapshot(file));
});

const ids = (found: { node: number }[]) => found.map((f) => a.snapshot.nodeId(f.node));

describe('find', () => {
  test('by class: every instance counted, the biggest listed first, at most limit', () => {
    const session = a.classNames.indexOf('Session');
    const two = findByClass(a, [session], 2);
    expect(two.matched).toBe(4);
    expect(ids(two.objects)).toEqual([9, 11]);
    expect(two.objects.map((f) => a.retainedSizes[f.node])).toEqual([30, 20]);
    expect(ids(findByClass(a, [session], 10).objects)).toEqual([9, 11, 13, 19]);
    expect(findByClass(a, [], 10)).toEqual({ matched: 0, objects: [] });
  });

  test('by name: properties and context variables, not weak references, each with its holder', () => {
    const found = findByName(a, 'cache', 10);
    expect(found.matched).toBe(3);
    expect(ids(found.objects)).toEqual([5, 11, 13]);
    expect(found.objects.map((f) => a.retainedSizes[f.node])).toEqual([86, 20, 10]);
    expect(found.objects.map((f) => a.snapshot.nodeId(f.holder))).toEqual([3, 15, 17]);
    expect(found.objects.map((f) => a.snapshot.edgeTypeName(f.edge))).toEqual(['property', 'property', 'context']);
    expect(ids(findByName(a, 'cache', 1).objects)).toEqual([5]);
    expect(findByName(a, 'nothing-called-this', 5)).toEqual({ matched: 0, objects: [] });
  });

  test('node ids to ordinals: the few-ids scan and the map agree, first ordinal, -1 when absent', () => {
    expect(ordinalsOfIds(a.snapshot, [13, 1, 999, 13])).toEqual([6, 0, -1, 6]);
    const many = [13, 1, 999, 13, 3, 5, 7, 9, 11, 19];
    expect(ordinalsOfIds(a.snapshot, many)).toEqual([6, 0, -1, 6, 1, 2, 3, 4, 5, 9]);
  });
});

describe('heapwatch find (the command)', () => {
  test('by class and by name: text, and --json equal to the report the MCP tool returns', () => {
    const byClass = heapwatch('find', file, '--class', 'Session', '-n', '2', '--no-index');
    expect(byClass.err).toBe('');
    expect(byClass.out).toBe(CLASS_TEXT);
    const byName = heapwatch('find', file, '--name', 'cache', '--no-index');
    expect(byName.out).toBe(NAME_TEXT);
    const json = heapwatch('find', file, '--name', 'cache', '-n', '2', '--json', '--no-index');
    expect(JSON.parse(json.out)).toEqual(buildFindReport(file, a, { name: 'cache' }, 2));
    expect(heapwatch('find', file, '--name', 'nothing-called-this', '--no-index').out).toBe(
      'no property or variable named nothing-called-this\n',
    );
  });

  test('exactly one of --class and --name', () => {
    const r = heapwatch('find', file, '--no-index');
    expect([r.code, r.out, r.err]).toEqual([
      2,
      '',
      'heapwatch: find needs exactly one of --class <name> and --name <name>\n',
    ]);
  });
});

const CLASS_TEXT = `4 objects of class Session: shallow 65 B, retained 65 B
the 2 biggest by retained size:
  retained       self  object
      30 B       30 B  Session @9
      20 B       20 B  Session @11
`;
// the Map's shown self size takes in its table (16 B), as DevTools shows it
const NAME_TEXT = `3 references named cache (properties and variables)
by retained size:
  retained       self  object
      86 B       56 B  Map @5  ← global @3 .cache
      20 B       20 B  Session @11  ← Holder @15 .cache
      10 B       10 B  Session @13  ← Context @17 ->cache
`;
