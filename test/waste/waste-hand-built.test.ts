// The waste findings on a hand-made graph: every count and byte below is worked out from the nodes' sizes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { analyzeSnapshot } from '../../src/analysis/index.js';
import type { HeapAnalysis } from '../../src/analysis/types.js';
import { emptyCollections } from '../../src/analysis/waste/empty-collections.js';
import { digitsValue, KnownNames } from '../../src/analysis/waste/names.js';
import { oneFieldObjects } from '../../src/analysis/waste/one-field-objects.js';
import { oversizedCollections } from '../../src/analysis/waste/oversized-collections.js';
import { repeatedStrings, smallestPeriod } from '../../src/analysis/waste/repeated-strings.js';
import { unusedContextVariables } from '../../src/analysis/waste/unused-context.js';
import { readSnapshot } from '../../src/snapshot/reader.js';
import { KNOWN_EDGE_TYPES, KNOWN_NODE_TYPES } from '../../src/snapshot/snapshot.js';
import { StringTable } from '../../src/snapshot/string-table.js';
import { jsonSnapshot, node, type TinyEdge, type TinyNode } from '../helpers/tiny-snapshot.js';

const nodes: TinyNode[] = [node('root', 'synthetic', '', 1, 0), node('global', 'object', 'global', 3, 100)];
const edges: TinyEdge[] = [['root', 'shortcut', 'global', 'global']];
let id = 5;
const add = (key: string, type: string, name: string, size: number): string => {
  nodes.push(node(key, type, name, id, size));
  id += 2;
  return key;
};
// 120 empty Maps (32 + a 152-byte table each, folded: 184) and 3 empty Sets (too few to report)
add('maps', 'object', 'Array', 32);
add('mapsStore', 'array', '(object elements)', 16 + 8 * 120);
edges.push(['global', 'property', 'maps', 'maps'], ['maps', 'internal', 'elements', 'mapsStore']);
for (let i = 0; i < 120; i++) {
  add(`m${i}`, 'object', 'Map', 32);
  add(`t${i}`, 'array', '', 152);
  edges.push(['mapsStore', 'internal', String(i), `m${i}`], [`m${i}`, 'internal', 'table', `t${i}`]);
}
for (let i = 0; i < 3; i++) {
  add(`s${i}`, 'object', 'Set', 32);
  add(`st${i}`, 'array', '', 120);
  edges.push(['global', 'property', `set${i}`, `s${i}`], [`s${i}`, 'internal', 'table', `st${i}`]);
}
// an array of 1,000 slots holding 2 objects: 998 × 8 = 7,984 bytes unused; one of 1,000 slots holding 400: not 4×
add('big', 'object', 'Array', 32);
add('bigStore', 'array', '(object elements)', 16 + 8 * 1000);
add('full', 'object', 'Array', 32);
add('fullStore', 'array', '(object elements)', 16 + 8 * 1000);
edges.push(['global', 'property', 'big', 'big'], ['big', 'internal', 'elements', 'bigStore']);
edges.push(['global', 'property', 'full', 'full'], ['full', 'internal', 'elements', 'fullStore']);
for (let i = 0; i < 2; i++) edges.push(['bigStore', 'internal', String(i), add(`b${i}`, 'object', 'Item', 16)]);
for (let i = 0; i < 400; i++) edges.push(['fullStore', 'internal', String(i), add(`f${i}`, 'object', 'Item', 16)]);
// a Map table of 256 buckets: 3 + 256 + 512 × 3 slots, entries start at slot 259; entries 0 and 1 used:
// (512 − 2) × 3 × 8 = 12,240 bytes unused
add('drained', 'object', 'Map', 32);
add('drainedTable', 'array', '', 16 + 8 * (3 + 256 + 512 * 3));
edges.push(['global', 'property', 'drained', 'drained'], ['drained', 'internal', 'table', 'drainedTable']);
edges.push(['drainedTable', 'internal', '259', add('k0', 'string', 'key-0', 24)]);
edges.push(['drainedTable', 'internal', '260', add('v0', 'object', 'Item', 16)]);
edges.push(['drainedTable', 'internal', '262', add('k1', 'string', 'key-1', 24)]);
// 1,000 plain objects {id, kind}: distinct numbers in `id`, the same string in `kind` (1,000 × 24 bytes)
add('points', 'object', 'Array', 32);
add('pointsStore', 'array', '(object elements)', 16 + 8 * 1000);
add('kind', 'string', 'pixel', 24);
edges.push(['global', 'property', 'points', 'points'], ['points', 'internal', 'elements', 'pointsStore']);
for (let i = 0; i < 1000; i++) {
  add(`p${i}`, 'object', 'Object', 24);
  add(`n${i}`, 'number', 'heap number', 16);
  edges.push(['pointsStore', 'internal', String(i), `p${i}`]);
  edges.push([`p${i}`, 'property', 'id', `n${i}`], [`p${i}`, 'property', 'kind', 'kind']);
}
// a 40,000-byte string whose visible text is 'ab' repeated: 40,000 − 16 − 2 = 39,982 bytes
add('rep', 'string', 'ab'.repeat(512), 40_000);
edges.push(['global', 'property', 'rep', 'rep']);
// closures: onTick never mentions `history` (its whole text is in the source); onRead mentions `cache`;
// onCut's text runs past what the snapshot holds of its script (not checked)
const SOURCE =
  'function make(history, cache) {\n  return function onTick() { return 1; };\n}\nfunction read() { return function onRead() { return cache.size; }; }\nfunction cut() { return function onCut() { return';
const closure = (key: string, fnName: string, variable: string, line: number, column: number): void => {
  add(key, 'closure', fnName, 64);
  add(`${key}Ctx`, 'object', 'system / Context', 48);
  add(`${key}Var`, 'object', 'Blob', 100_000);
  add(`${key}Shared`, 'code', fnName, 56);
  edges.push(['global', 'property', key, key], [key, 'internal', 'context', `${key}Ctx`]);
  edges.push([`${key}Ctx`, 'context', variable, `${key}Var`], [key, 'internal', 'shared', `${key}Shared`]);
  edges.push([`${key}Shared`, 'internal', 'script_or_debug_info', 'script']);
  locations.push([key, line, column]);
};
const locations: [string, number, number][] = [];
add('script', 'code', '/app/make.js', 144);
add('source', 'string', SOURCE, 16 + SOURCE.length);
edges.push(['script', 'internal', 'source', 'source']);
closure('onTick', 'onTick', 'history', 1, 24);
closure('onRead', 'onRead', 'cache', 3, 40);
closure('onCut', 'onCut', 'state', 4, 38);

let dir: string;
let a: HeapAnalysis;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-waste-'));
  const file = join(dir, 'waste.heapsnapshot');
  writeFileSync(file, JSON.stringify(document()));
  a = analyzeSnapshot(await readSnapshot(file));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('empty Maps: counted with their tables folded in (shallow); 3 empty Sets are too few to report', () => {
  const found = emptyCollections(a);
  expect(found.map((f) => [f.title, f.count, f.bytes, f.sizeKind])).toEqual([
    ['120 empty Map objects', 120, 120 * 184, 'shallow'],
  ]);
  expect(found[0].examples).toHaveLength(5);
  expect(emptyCollections(a, 1).find((f) => f.title.includes('Set'))?.bytes).toBe(3 * 152);
});

test('oversized: unused slots of an array store and unused entries of a Map table', () => {
  const [f] = oversizedCollections(a);
  expect([f.count, f.bytes, f.sizeKind]).toEqual([2, 998 * 8 + 510 * 24, 'unused']);
  expect(f.examples.map((x) => [a.snapshot.nodeId(x.node), x.bytes, x.detail])).toEqual([
    [id_('drained'), 12_240, 'capacity 512 entries, 2 in use (store 14.0 KB)'],
    [id_('big'), 7_984, 'capacity 1,000 slots, 2 in use (store 7.8 KB)'],
  ]);
});

test('slot numbers from edge names: 1 to 9 digits read as Number() reads them, anything else left to it (-1)', () => {
  const names = ['259', '007', '0', '999999999', '', 'map', '1e3', '-1', ' 12', '12a', '1234567890', '\u0663', '1.5'];
  const t = StringTable.fromStrings(names);
  expect(names.map((_, i) => digitsValue(t, i))).toEqual([259, 7, 0, 999999999, -1, -1, -1, -1, -1, -1, -1, -1, -1]);
});

test('one-field objects: 1,000 {id, kind} differ only in id', () => {
  const [f] = oneFieldObjects(a);
  expect([f.title, f.count, f.bytes, f.sizeKind]).toEqual([
    '1,000 × {id, kind} differ only in id',
    1000,
    24_000,
    'shallow',
  ]);
});

test('repeated strings: the visible text is one slice repeated', () => {
  const [f] = repeatedStrings(a);
  expect([f.count, f.bytes]).toEqual([1, 40_000 - 16 - 2]);
  expect(f.examples[0].detail).toBe('"ab" (2 chars) repeated, 39.1 KB');
  expect(smallestPeriod('abcabcabcabca')).toBe(3); // 4 copies and a cut one
  expect(smallestPeriod('abcabcabcab')).toBe(0); // fewer than 4 copies
});

test('unused context variables: checked where the source holds the function, listed as not checked where not', () => {
  const found = unusedContextVariables(a);
  expect(found.map((f) => [f.title, f.count, f.bytes, f.sizeKind, f.examples.map((x) => x.detail)])).toEqual([
    [
      '1 closures keep a large variable of their scope they never use',
      1,
      100_000,
      'retained',
      ['onTick() (make.js:2:25) keeps `history` and never mentions it'],
    ],
    [
      '1 closures keep a large variable of their scope (not checked: their source is not in the snapshot)',
      1,
      100_000,
      'retained',
      ['onCut() (make.js:5:39) keeps `state`'],
    ],
  ]);
});

function id_(key: string): number {
  return nodes.find((n) => n.key === key)!.id;
}

/** The graph as a snapshot document, with a `locations` record per closure. */
function document() {
  const strings: string[] = [];
  const str = (s: string): number => {
    const i = strings.indexOf(s);
    return i >= 0 ? i : strings.push(s) - 1;
  };
  const ordinal = new Map(nodes.map((n, i) => [n.key, i]));
  const bySource = new Map<string, TinyEdge[]>();
  for (const e of edges) bySource.set(e[0], [...(bySource.get(e[0]) ?? []), e]);
  const flatNodes: number[] = [];
  const flatEdges: number[] = [];
  for (const n of nodes) {
    const out = bySource.get(n.key) ?? [];
    flatNodes.push(KNOWN_NODE_TYPES.indexOf(n.type), str(n.name), n.id, n.size, out.length, 0, 0);
    for (const [, type, name, to] of out) {
      const nameOrIndex = type === 'element' || type === 'hidden' ? Number(name) : str(String(name));
      flatEdges.push(KNOWN_EDGE_TYPES.indexOf(type), nameOrIndex, ordinal.get(to)! * 7);
    }
  }
  const locs = locations.flatMap(([key, line, column]) => [ordinal.get(key)! * 7, 1, line, column]);
  return jsonSnapshot(KNOWN_NODE_TYPES, flatNodes, flatEdges, strings, locs);
}

test("the names' table for a thread without strings gives every string the answer a lookup gives", async () => {
  // the unused-context scan's names, strings near them (length, first character, non-ASCII), duplicates, and the
  // same names written with JSON escapes, as the reader keeps them (bytes as in the file)
  const known = ['system / Context', 'context', 'previous', 'shared'];
  const strings = ['', 'root', 'context', 'contexts', 'cöntext', 'shared', 'sharéd', 'shared', 'previous', 'prev'];
  strings.push('system / Context', 'xystem / Context', 'ESC1', 'ESC2', 'ESC3', 'ESC4', 'ESC5');
  const doc = jsonSnapshot(KNOWN_NODE_TYPES, [KNOWN_NODE_TYPES.indexOf('synthetic'), 1, 1, 0, 0, 0, 0], [], strings);
  const text = JSON.stringify(doc)
    .replace('"ESC1"', '"\\u0063ontext"')
    .replace('"ESC2"', '"s\\u0068ared"')
    .replace('"ESC3"', '"\\u00e9ontext"')
    .replace('"ESC4"', '"pr\\u00e9vious"')
    .replace('"ESC5"', '"system \\/ Context"');
  const file = join(dir, 'names.heapsnapshot');
  writeFileSync(file, text);
  const s = await readSnapshot(file);
  const table = new KnownNames(s, known).table();
  const filled = new KnownNames(s, known, table);
  const lookedUp = new KnownNames(s, known);
  const answers = strings.map((_, i) => filled.of(i));
  expect(answers).toEqual(strings.map((_, i) => lookedUp.of(i)));
  // context, shared (twice), previous, system / Context, and the escaped context, shared and system / Context
  expect(answers).toEqual([-1, -1, 1, -1, -1, 3, -1, 3, 2, -1, 0, -1, 1, 3, -1, -1, 0]);
});
