// The analyze, histo and node commands, run as the real CLI on hand-made snapshots whose numbers are worked
// out in test/helpers/hand-graphs.ts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DIAMOND_EDGES, DIAMOND_NODES, FOLDING_EDGES, FOLDING_NODES } from '../helpers/hand-graphs.js';
import { writeTinySnapshot } from '../helpers/tiny-snapshot.js';

const bin = fileURLToPath(new URL('../../bin/heapwatch.js', import.meta.url));
let dir: string;
let diamond: string;
let folding: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-cmd-'));
  diamond = join(dir, 'diamond.heapsnapshot');
  folding = join(dir, 'folding.heapsnapshot');
  writeTinySnapshot(diamond, DIAMOND_NODES, DIAMOND_EDGES);
  writeTinySnapshot(folding, FOLDING_NODES, FOLDING_EDGES);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('analyze', () => {
  test('text: totals, biggest objects with global opened up, classes', () => {
    const r = run('analyze', diamond, '--top', '3');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    // each section exactly, in this order (later parts add sections of their own, e.g. leak suspects)
    const sections = [
      [diamond, '  nodes 11, edges 13, total 385 B (sizes as Chrome DevTools shows them)'],
      [
        'Biggest objects by retained size (dominator tree; global objects, GC roots and contexts opened up)',
        '    retained      %       self  object',
        '       100 B  26.0%       10 B  A @7   (in global @5)',
        '        70 B  18.2%       70 B  G @19',
        '        60 B  15.6%       60 B  F @17',
        '  opened: global @5 200 B',
      ],
      [
        'Classes by retained size (top 3)',
        '   rank       count    shallow   retained  class',
        '      1           1      100 B      200 B  global',
        '      2           1       10 B      100 B  A',
        '      3           1       70 B       70 B  G',
      ],
    ].map((lines) => `${lines.join('\n')}\n`);
    const at = sections.map((section) => r.out.indexOf(section));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((x, y) => x - y)).toEqual(at);
  });

  test('--json: one document, schema heapwatch/analysis@1, bytes and snapshot ids', () => {
    const r = run('analyze', diamond, '--top', '2', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    // these fields exactly (later parts add fields of their own, never rename these)
    const { schema, snapshot, dominators, funnels, histogram } = doc;
    expect({ schema, snapshot, dominators, funnels, histogram }).toEqual({
      schema: 'heapwatch/analysis@1',
      snapshot: { path: diamond, nodeCount: 11, edgeCount: 13, totalSize: 385 },
      dominators: [
        {
          id: 7,
          name: 'A',
          type: 'object',
          className: 'A',
          selfSize: 10,
          retainedSize: 100,
          dominatorId: 5,
          via: ['global @5'],
        },
        { id: 19, name: 'G', type: 'object', className: 'G', selfSize: 70, retainedSize: 70, dominatorId: 1, via: [] },
      ],
      funnels: [
        {
          id: 5,
          name: 'global',
          type: 'object',
          className: 'global',
          selfSize: 100,
          retainedSize: 200,
          dominatorId: 1,
        },
      ],
      histogram: [
        { className: 'global', count: 1, shallowSize: 100, retainedSize: 200 },
        { className: 'A', count: 1, shallowSize: 10, retainedSize: 100 },
      ],
    });
  });

  test('bad input and bad usage: one line, exit 2', () => {
    const cut = join(dir, 'cut.heapsnapshot');
    const whole = readFileSync(diamond);
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const r = run('analyze', cut);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(new RegExp(`^heapwatch: .+ \\(${cut.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+\\)\\n$`));
    expect(run('analyze', join(dir, 'none.heapsnapshot')).code).toBe(2);
    const top = run('analyze', diamond, '--top', '0');
    expect(top.code).toBe(2);
    expect(top.err).toBe('heapwatch: --top must be a positive whole number, not "0"\n');
  });
});

describe('histo', () => {
  test('text, by shallow size like jmap -histo; folded and nested objects counted as DevTools does', () => {
    const r = run('histo', folding);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        ' rank       count    shallow   retained  class',
        '    1           1      140 B      300 B  global',
        '    2           1       52 B       52 B  WeakMap',
        '    3           3       30 B       30 B  Node',
        '    4           1       30 B       30 B  Value',
        '    5           1       22 B       22 B  X',
        '    6           1       16 B       16 B  (array)',
        '    7           1       12 B       12 B  (system)',
        '    8           1       10 B       40 B  Key',
        'Total 10 objects, 312 B, 8 classes',
        '',
      ].join('\n'),
    );
  });

  test('--json --sort retained --top 2', () => {
    const r = run('histo', folding, '--json', '--sort', 'retained', '--top', '2');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      schema: 'heapwatch/histo@1',
      snapshot: { path: folding, nodeCount: 16, totalSize: 312 },
      sort: 'retained',
      classCount: 8,
      objectCount: 10,
      classes: [
        { rank: 1, className: 'global', count: 1, shallowSize: 140, retainedSize: 300 },
        { rank: 2, className: 'WeakMap', count: 1, shallowSize: 52, retainedSize: 52 },
      ],
    });
    expect(run('histo', folding, '--sort', 'name').code).toBe(2);
  });
});

describe('node', () => {
  test('text: class, sizes, dominator, retainers (strong first, biggest retainer first)', () => {
    const r = run('node', folding, '@9');
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        '(array) @9  (array)',
        '  self 16 B, retained 16 B',
        '  dominator: global @5',
        '  retainers (2):',
        '    global @5 [0]  (retains 300 B)',
        '    X @11 {shared}  (retains 22 B)',
        '',
      ].join('\n'),
    );
  });

  test('--json: the WeakMap value is dominated by its key, not by the table', () => {
    const r = run('node', folding, '33', '15', '--json', '--retainers', '1');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.schema).toBe('heapwatch/nodes@1');
    expect(doc.nodes).toEqual([
      {
        id: 33,
        name: 'Value',
        type: 'object',
        className: 'Value',
        selfSize: 30,
        retainedSize: 30,
        dominatorId: 31,
        dominatorName: 'Key',
        dominatorClassName: 'Key',
        retainerCount: 2,
        retainers: [
          {
            id: 31,
            name: 'Key',
            className: 'Key',
            retainedSize: 40,
            edgeType: 'internal',
            edgeName: '1 / part of key (Key @31) -> value (Value @33) pair in WeakMap (table @29)',
          },
        ],
      },
      {
        id: 15,
        name: 'system / Bar',
        type: 'hidden',
        className: '(system)',
        selfSize: 0,
        retainedSize: 0,
        dominatorId: 13,
        dominatorName: 'system / Foo',
        dominatorClassName: '(system)',
        retainerCount: 1,
        retainers: [
          { id: 13, name: 'system / Foo', className: '(system)', retainedSize: 0, edgeType: 'internal', edgeName: 'h' },
        ],
      },
    ]);
  });

  test('an id that is not in the snapshot: one line, exit 2, nothing on stdout', () => {
    const r = run('node', folding, '33', '999', '--json');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe(`heapwatch: no node with id @999 in ${folding}\n`);
    expect(run('node', folding, 'abc').err).toBe('heapwatch: not a node id: "abc"\n');
  });
});
