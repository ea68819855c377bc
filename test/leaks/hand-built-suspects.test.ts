// Leak suspects on a hand-made graph whose dominators and sizes are worked out below, so every number the
// report gives is known: funnels opened, the accumulation point, the chain, the percentages.
import { expect, test } from 'vitest';
import { handGraphFile } from '../helpers/hand-graphs.js';
import { node, type TinyEdge, type TinyNode } from '../helpers/tiny-snapshot.js';
import { heapwatch } from './helpers.js';

// root ─shortcut→ global(100) ─handler→ H handleRequest (closure, 10) ─context→ C (context, 10)
//   C ─sessions→ M Map(20) ─table→ T (array, 40) ─0→ 's1'(10) ─1→ S1 Session(100), ─2→ 's2', ─3→ S2, ─4→ 's3', ─5→ S3
//   C ─queue→ Q {head}(10) ─head→ L1 PendingRequest(50) ─next→ L2(50) ─next→ L3(50) ─next→ L4(50)
//   global ─small→ X Small(10);  root ─element→ (GC roots)(0)
// DevTools folds T (an array with one owner) into M: M shows 60, T 0. Total 100+10+10+60+30+300+10+200+10 = 730.
// global, the closure and its context are funnels, not suspects. Over 10% (73) below them: M retains
// 60+30+300 = 390 (53.4%), Q retains 10+200 = 210 (28.8%). M's biggest child T (330) keeps ≥ 70% of 390;
// T's biggest (a Session, 100) does not keep 70% of 330: T is the accumulation point, shown as the Map owning it,
// holding 3 Sessions (300) and 3 key strings (30). Q's child L1 (200) heads a chain L1…L4 of 4 links.
// Session (300) and PendingRequest (200) retain over 10% as classes but sit inside M and Q: no class suspect.
const NODES: TinyNode[] = [
  node('root', 'synthetic', '', 1, 0),
  node('gcroots', 'synthetic', '(GC roots)', 3, 0),
  node('global', 'object', 'global', 5, 100),
  node('H', 'closure', 'handleRequest', 7, 10),
  node('C', 'object', 'system / Context', 9, 10),
  node('M', 'object', 'Map', 11, 20),
  node('T', 'array', '', 13, 40),
  node('K1', 'string', 's1', 15, 10),
  node('S1', 'object', 'Session', 17, 100),
  node('K2', 'string', 's2', 19, 10),
  node('S2', 'object', 'Session', 21, 100),
  node('K3', 'string', 's3', 23, 10),
  node('S3', 'object', 'Session', 25, 100),
  node('Q', 'object', 'Object', 27, 10),
  node('L1', 'object', 'PendingRequest', 29, 50),
  node('L2', 'object', 'PendingRequest', 31, 50),
  node('L3', 'object', 'PendingRequest', 33, 50),
  node('L4', 'object', 'PendingRequest', 35, 50),
  node('X', 'object', 'Small', 37, 10),
];
const EDGES: TinyEdge[] = [
  ['root', 'shortcut', 'global', 'global'],
  ['root', 'element', 1, 'gcroots'],
  ['global', 'property', 'handler', 'H'],
  ['global', 'property', 'small', 'X'],
  ['H', 'internal', 'context', 'C'],
  ['C', 'context', 'sessions', 'M'],
  ['C', 'context', 'queue', 'Q'],
  ['M', 'internal', 'table', 'T'],
  ['T', 'internal', '0', 'K1'],
  ['T', 'internal', '1', 'S1'],
  ['T', 'internal', '2', 'K2'],
  ['T', 'internal', '3', 'S2'],
  ['T', 'internal', '4', 'K3'],
  ['T', 'internal', '5', 'S3'],
  ['Q', 'property', 'head', 'L1'],
  ['L1', 'property', 'next', 'L2'],
  ['L2', 'property', 'next', 'L3'],
  ['L3', 'property', 'next', 'L4'],
];

const snap = handGraphFile('heapwatch-suspects-', 'hand.heapsnapshot', NODES, EDGES);

test('suspects, accumulation points and the chain, with the numbers worked out by hand', () => {
  const r = heapwatch('analyze', snap, '--json');
  expect(r.code).toBe(0);
  const doc = JSON.parse(r.out);
  expect(doc.snapshot.totalSize).toBe(730);
  const [map, queue, ...rest] = doc.suspects;
  expect(rest).toEqual([]);
  expect(map).toMatchObject({
    kind: 'object',
    id: 11,
    className: 'Map',
    count: 1,
    retainedSize: 390,
    percent: 53.4,
    accumulationPoint: { id: 11, className: 'Map', retainedSize: 390 },
    chain: null,
    holds: [
      { className: 'Session', count: 3, retainedSize: 300 },
      { className: '(string)', count: 3, retainedSize: 30 },
    ],
    pathShare: 1,
  });
  expect(map.pathText).toMatch(
    /^\(global\) → handler → handleRequest\(\) → context → sessions → \['s[123]'\] → Session$/,
  );
  expect(map.path.map((st: { edge: string }) => st.edge).slice(0, 6)).toEqual([
    '(global)',
    'handler',
    'context',
    'sessions',
    'table',
    map.path[5].edge,
  ]);
  expect(queue).toMatchObject({
    kind: 'object',
    id: 27,
    retainedSize: 210,
    percent: 28.8,
    accumulationPoint: { id: 29, className: 'PendingRequest', retainedSize: 200 },
    chain: { links: 4, className: 'PendingRequest' },
    holds: [],
  });
  expect(queue.pathText).toBe('(global) → handler → handleRequest() → context → queue → head');

  const text = heapwatch('analyze', snap).out;
  // the headline names the holder as the code does: the variable, then the property of the object it names
  expect(map.holder).toEqual({ name: 'sessions', className: 'Map', id: 11 });
  expect(queue.holder).toEqual({ name: 'queue.head', className: 'PendingRequest', id: 29 });
  expect(text.startsWith('Leak suspects\n  1. sessions (Map @11) retains 390 B (53.4% of the heap)\n')).toBe(true);
  expect(text).toContain('     accumulates in Map @11 (390 B): 3 × Session 300 B, 3 × (string) 30 B\n');
  expect(text).toContain('  2. queue.head (PendingRequest @29 in Object @27) retains 210 B (28.8% of the heap)\n');
  expect(text).toContain('     a linked chain of 4 × PendingRequest, head @29 retains 200 B\n');
});
