// Where a function is defined, from the snapshot's location records, whether V8 wrote them in node order or not
// (the 660 MB bench snapshot's are not): the same closure's last record wins, other nodes' records are no
// function's, and a closure without a record has no location.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { functionLocation } from '../../src/analysis/source-locations.js';
import { readSnapshot } from '../../src/snapshot/reader.js';
import { KNOWN_EDGE_TYPES, KNOWN_NODE_TYPES } from '../../src/snapshot/snapshot.js';
import { jsonSnapshot } from '../helpers/tiny-snapshot.js';

// root, then an object and four closures, each held by the root; the closures' SharedFunctionInfos name no script
const NODES: [string, string][] = [
  ['synthetic', ''],
  ['object', 'Order'],
  ['closure', 'first'],
  ['closure', 'second'],
  ['closure', 'third'],
  ['closure', 'unlocated'],
];
// [node ordinal, line, column] in file order: not node order; `second` twice (the later record wins)
const RECORDS: [number, number, number][] = [
  [4, 40, 4],
  [1, 10, 1],
  [3, 30, 3],
  [2, 20, 2],
  [3, 31, 5],
];

function document(records: [number, number, number][]) {
  const strings = ['', 'Order', 'first', 'second', 'third', 'unlocated', 'x'];
  const nodes = NODES.flatMap(([type, name], o) => [
    KNOWN_NODE_TYPES.indexOf(type),
    strings.indexOf(name),
    1 + 2 * o,
    32,
    o === 0 ? NODES.length - 1 : 0,
    0,
    0,
  ]);
  const edges = NODES.slice(1).flatMap((_, i) => [KNOWN_EDGE_TYPES.indexOf('property'), 6, (i + 1) * 7]);
  const locations = records.flatMap(([o, line, column]) => [o * 7, 1, line, column]);
  return jsonSnapshot(KNOWN_NODE_TYPES, nodes, edges, strings, locations);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-closure-records-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each node's function location as `line:column` (1-based), or null. */
async function locationsOf(name: string, records: [number, number, number][]): Promise<(string | null)[]> {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(document(records)));
  const s = await readSnapshot(file);
  return NODES.map((_, o) => {
    const l = functionLocation(s, o);
    return l && `${l.line}:${l.column}`;
  });
}

test('records out of node order: found through the closures’ own index, the last record of a closure winning', async () => {
  expect(await locationsOf('unordered.heapsnapshot', RECORDS)).toEqual([null, null, '21:3', '32:6', '41:5', null]);
});

test('records in node order: the same answers by binary search', async () => {
  const ordered = [...RECORDS].sort((x, y) => x[0] - y[0]);
  expect(await locationsOf('ordered.heapsnapshot', ordered)).toEqual([null, null, '21:3', '32:6', '41:5', null]);
});
