// `heapwatch path`: the shortest paths from the GC roots, named as the code names them. First on a hand-made
// graph where every path is known, then on a real snapshot.
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { handGraphFile } from '../helpers/hand-graphs.js';
import { node, type TinyEdge, type TinyNode } from '../helpers/tiny-snapshot.js';
import { heapwatch, runFixture } from './helpers.js';

// root ─shortcut→ global ─orderEvents→ E ─_events→ O ─order-updated→ A ─[0]→ L ─context→ C ─requestContext→ R
//                                                                    A ─[1]→ L   (a second index, same listener)
//                global ─weak→ R   (never on a path)
//                global ─sessions→ M ─table→ T ─3→ K 'session-1', T ─4→ S Session  (key at slot 3, value at 4)
// root ─element→ (GC roots) ─[0]→ M   (same length to M as through global: global's path comes first)
// Paths to R: exactly two, 7 edges each, differing at the array index. Paths to S: two of 4 edges.
const NODES: TinyNode[] = [
  node('root', 'synthetic', '', 1, 0),
  node('gcroots', 'synthetic', '(GC roots)', 3, 0),
  node('global', 'object', 'global', 5, 100),
  node('E', 'object', 'EventEmitter', 7, 10),
  node('O', 'object', 'Object', 9, 10),
  node('A', 'object', 'Array', 11, 10),
  node('L', 'closure', 'onOrderUpdated', 13, 10),
  node('C', 'object', 'system / Context', 15, 10),
  node('R', 'object', 'RequestContext', 17, 10),
  node('M', 'object', 'Map', 19, 10),
  node('T', 'array', '', 21, 10),
  node('K', 'string', 'session-1', 23, 10),
  node('S', 'object', 'Session', 25, 10),
];
const EDGES: TinyEdge[] = [
  ['root', 'shortcut', 'global', 'global'],
  ['root', 'element', 1, 'gcroots'],
  ['gcroots', 'element', 0, 'M'],
  ['global', 'property', 'orderEvents', 'E'],
  ['global', 'weak', 'w', 'R'],
  ['global', 'property', 'sessions', 'M'],
  ['E', 'property', '_events', 'O'],
  ['O', 'property', 'order-updated', 'A'],
  ['A', 'element', 0, 'L'],
  ['A', 'element', 1, 'L'],
  ['L', 'internal', 'context', 'C'],
  ['C', 'context', 'requestContext', 'R'],
  ['M', 'internal', 'table', 'T'],
  ['T', 'internal', '3', 'K'],
  ['T', 'internal', '4', 'S'],
];

const tiny = handGraphFile('heapwatch-path-', 'tiny.heapsnapshot', NODES, EDGES);

describe('path on a hand-made graph', () => {
  test('all shortest paths, weak edges excluded, named as in the code', () => {
    const r = heapwatch('path', tiny, '17', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.schema).toBe('heapwatch/paths@1');
    expect(doc.object).toMatchObject({ id: 17, className: 'RequestContext' });
    expect(doc.paths.map((p: { text: string }) => p.text)).toEqual([
      '(global) → orderEvents → _events → order-updated → [0] → onOrderUpdated() → context → requestContext',
      '(global) → orderEvents → _events → order-updated → [1] → onOrderUpdated() → context → requestContext',
    ]);
    expect(doc.paths.map((p: { length: number }) => p.length)).toEqual([7, 7]);
    expect(doc.paths[0].steps).toEqual([
      { edge: '(global)', edgeType: 'shortcut', id: 5, className: 'global' },
      { edge: 'orderEvents', edgeType: 'property', id: 7, className: 'EventEmitter' },
      { edge: '_events', edgeType: 'property', id: 9, className: 'Object' },
      { edge: 'order-updated', edgeType: 'property', id: 11, className: 'Array' },
      { edge: '[0]', edgeType: 'element', id: 13, className: 'Function' },
      { edge: 'context', edgeType: 'internal', id: 15, className: 'system / Context' },
      { edge: 'requestContext', edgeType: 'context', id: 17, className: 'RequestContext' },
    ]);
  });

  test('a Map entry reads as its key; the global path comes before the synthetic root', () => {
    const r = heapwatch('path', tiny, '@25', '-n', '5');
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        '@25 Session: self 10 B, retained 10 B',
        '2 shortest paths from the GC roots:',
        "  1. (4 edges) (global) → sessions → ['session-1'] → Session",
        "  2. (4 edges) (GC roots) → Map → ['session-1'] → Session",
        '',
      ].join('\n'),
    );
  });

  test('-n limits the paths', () => {
    const doc = JSON.parse(heapwatch('path', tiny, '17', '-n', '1', '--json').out);
    expect(doc.paths).toHaveLength(1);
  });

  test('an unknown id is bad input: one line, exit 2', () => {
    const r = heapwatch('path', tiny, '999');
    expect(r.code).toBe(2);
    expect(r.err).toBe(`heapwatch: no node with id @999 in ${tiny}\n`);
    expect(heapwatch('path', tiny, 'abc').code).toBe(2);
    expect(heapwatch('path', tiny, '17', '-n', '0').code).toBe(2);
  });
});

describe('path on a real snapshot', () => {
  test("the listener array of the EventEmitter leak, found by analyze's suspect", () => {
    const snap = join(dirname(tiny), 'listeners.heapsnapshot');
    runFixture('listeners.cjs', snap);
    const suspect = JSON.parse(heapwatch('analyze', snap, '--json').out).suspects[0];
    const id = String(suspect.accumulationPoint.id);
    const r = heapwatch('path', snap, id, '-n', '3', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.object).toMatchObject({ id: Number(id), className: 'Array' });
    expect(doc.paths).toHaveLength(3);
    const lengths = doc.paths.map((p: { length: number }) => p.length);
    expect([...lengths].sort((x, y) => x - y)).toEqual(lengths);
    for (const p of doc.paths) {
      expect(p.text).toMatch(/orderEvents → _events → order-updated$/);
      expect(p.steps.at(-1).id).toBe(Number(id));
    }
  });
});
