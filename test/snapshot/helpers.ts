// Snapshot material for the reader's tests: a hand-written snapshot, real ones written by v8.writeHeapSnapshot in
// a child process, real ones cut down to a few hundred nodes (so thousands of fuzz cases stay fast), and a
// serializer that lays a snapshot out byte for byte the way V8 does.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HeapSnapshot, KNOWN_EDGE_TYPES, KNOWN_NODE_TYPES } from '../../src/snapshot/snapshot.js';
import { type JsonSnapshot, jsonSnapshot } from '../helpers/tiny-snapshot.js';

export type { JsonSnapshot };

export function tempDir(prefix = 'heapwatch-reader-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** V8's layout: header on one line, one node/edge record per line, one string per line. */
export function serializeV8Style(s: JsonSnapshot): string {
  const records = (values: number[], width: number) => {
    const lines: string[] = [];
    for (let i = 0; i < values.length; i += width) lines.push(values.slice(i, i + width).join(','));
    return lines.join('\n,');
  };
  const nf = s.snapshot.meta.node_fields.length;
  const ef = s.snapshot.meta.edge_fields.length;
  const parts = [
    `{"snapshot":${JSON.stringify(s.snapshot)},`,
    `"nodes":[${records(s.nodes, nf)}],`,
    `"edges":[${records(s.edges, ef)}],`,
    `"trace_function_infos":${JSON.stringify(s.trace_function_infos ?? [])},`,
    `"trace_tree":${JSON.stringify(s.trace_tree ?? [])},`,
    `"samples":${JSON.stringify(s.samples ?? [])},`,
    `"locations":[${records(s.locations ?? [], 4)}],`,
    `"strings":[${s.strings.map((x) => JSON.stringify(x)).join(',\n')}]}`,
  ];
  return parts.join('\n');
}

// The hand-written file lists only the first ten of V8's node types.
const NODE_TYPES = KNOWN_NODE_TYPES.slice(0, 10);

/**
 * A dozen nodes written by hand (Node 20 layout). Ordinals: 0 root, 1 (GC roots), 2 global, 3 Order, 4 Order,
 * 5 Array, 6 'hello' string, 7 closure onOrder, 8 context, 9 Map, 10 a string with escapes, 11 an unreachable Leak.
 */
export function handWritten(): JsonSnapshot {
  const strings = [
    '', // 0
    '(GC roots)', // 1
    'global', // 2
    'Order', // 3
    'Array', // 4
    'hello', // 5
    'onOrder', // 6
    'system / Context', // 7
    'Map', // 8
    'quote " backslash \\ tab \t é 😀 \u0001', // 9
    'Leak', // 10
    'orders', // 11
    'first', // 12
    'second', // 13
    'name', // 14
    'context', // 15
    'map', // 16
    'note', // 17
  ];
  const t = (name: string) => NODE_TYPES.indexOf(name);
  // type, name, id, self_size, edge_count, trace_node_id, detachedness
  const nodeRows = [
    [t('synthetic'), 0, 1, 0, 2, 0, 0],
    [t('synthetic'), 1, 3, 0, 1, 0, 0],
    [t('object'), 2, 5, 48, 3, 0, 0],
    [t('object'), 3, 7, 32, 2, 0, 0],
    [t('object'), 3, 9, 32, 1, 0, 0],
    [t('array'), 4, 11, 24, 2, 0, 0],
    [t('string'), 5, 13, 20, 0, 0, 0],
    [t('closure'), 6, 15, 56, 1, 0, 0],
    [t('hidden'), 7, 17, 40, 1, 0, 0],
    [t('object'), 8, 19, 64, 0, 0, 0],
    [t('string'), 9, 21, 28, 0, 0, 0],
    [t('object'), 10, 23, 1000, 0, 0, 2],
  ];
  const nf = 7;
  const e = (type: string, name: number, to: number) => [KNOWN_EDGE_TYPES.indexOf(type), name, to * nf];
  const edgeRows = [
    e('shortcut', 2, 2), // root -> global
    e('element', 1, 1), // root -> (GC roots)
    e('element', 0, 2), // (GC roots) -> global
    e('property', 11, 5), // global.orders
    e('property', 16, 9), // global.map
    e('property', 6, 7), // global.onOrder
    e('property', 14, 6), // Order#1.name
    e('property', 17, 10), // Order#1.note
    e('property', 14, 6), // Order#2.name
    e('element', 0, 3), // orders[0]
    e('element', 1, 4), // orders[1]
    e('context', 15, 8), // onOrder context
    e('weak', 12, 3), // context weakly -> Order#1
  ];
  return jsonSnapshot(NODE_TYPES, nodeRows.flat(), edgeRows.flat(), strings, [7 * nf, 3, 10, 4]);
}

/** The program the tests snapshot: classes, a Map, closures, a promise, and strings that need escapes. */
export const TINY_PROGRAM = `
const v8 = require('node:v8');
class Order { constructor(i) { this.id = i; this.label = 'order-' + i; } }
const orders = Array.from({ length: 50 }, (_, i) => new Order(i));
const byId = new Map(orders.map((o) => [o.id, o]));
const odd = ['quote " and backslash \\\\', 'tab\\tnewline\\n', 'é ü 漢字', '😀 pair', '\\ud800 lone', '\\u0001 control'];
globalThis.keep = { orders, byId, odd, cb: () => orders.length, p: Promise.resolve(odd) };
v8.writeHeapSnapshot(process.argv[1]);
`;

/** Writes a real snapshot of TINY_PROGRAM with the given node binary (this one by default). */
export function writeRealSnapshot(file: string, nodeBinary = process.execPath): string {
  execFileSync(nodeBinary, ['-e', TINY_PROGRAM, file], { stdio: 'pipe', timeout: 60_000 });
  return file;
}

/**
 * Cuts a real snapshot down to its first `keep` nodes plus the string nodes whose text needs escaping: edges to
 * dropped nodes go, edge counts and strings are renumbered. Layout, meta and string contents stay V8's own.
 */
export function reduceSnapshot(real: JsonSnapshot, keep: number): JsonSnapshot {
  const meta = real.snapshot.meta;
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  const nameOff = meta.node_fields.indexOf('name');
  const countOff = meta.node_fields.indexOf('edge_count');
  const eTypeOff = meta.edge_fields.indexOf('type');
  const eNameOff = meta.edge_fields.indexOf('name_or_index');
  const toOff = meta.edge_fields.indexOf('to_node');
  const edgeTypes = meta.edge_types[meta.edge_fields.indexOf('type')] as string[];
  const numbered = new Set([edgeTypes.indexOf('element'), edgeTypes.indexOf('hidden')]);
  const nodeCount = real.nodes.length / nf;
  const kept: number[] = [];
  for (let o = 0; o < nodeCount; o++) {
    const name = real.strings[real.nodes[o * nf + nameOff]];
    if (o < keep || (kept.length < keep + 40 && /[^\x20-\x7e]|["\\]/.test(name))) kept.push(o);
  }
  const newOrdinal = new Map(kept.map((o, i) => [o, i]));
  const strings: string[] = [];
  const stringIndex = new Map<number, number>();
  const str = (i: number) => {
    let j = stringIndex.get(i);
    if (j === undefined) {
      j = strings.push(real.strings[i]) - 1;
      stringIndex.set(i, j);
    }
    return j;
  };
  const firstEdge: number[] = [];
  for (let o = 0, sum = 0; o < nodeCount; o++) {
    firstEdge.push(sum);
    sum += real.nodes[o * nf + countOff];
  }
  const nodes: number[] = [];
  const edges: number[] = [];
  for (const o of kept) {
    const row = real.nodes.slice(o * nf, o * nf + nf);
    row[nameOff] = str(row[nameOff]);
    let count = 0;
    for (let e = firstEdge[o]; e < firstEdge[o] + real.nodes[o * nf + countOff]; e++) {
      const edge = real.edges.slice(e * ef, e * ef + ef);
      const target = newOrdinal.get(edge[toOff] / nf);
      if (target === undefined) continue;
      edge[toOff] = target * nf;
      if (!numbered.has(edge[eTypeOff])) edge[eNameOff] = str(edge[eNameOff]);
      edges.push(...edge);
      count++;
    }
    row[countOff] = count;
    nodes.push(...row);
  }
  const locations: number[] = [];
  const loc = real.locations ?? [];
  for (let i = 0; i < loc.length; i += 4) {
    const target = newOrdinal.get(loc[i] / nf);
    if (target !== undefined) locations.push(target * nf, loc[i + 1], loc[i + 2], loc[i + 3]);
  }
  return {
    ...real,
    snapshot: { ...real.snapshot, node_count: nodes.length / nf, edge_count: edges.length / ef },
    nodes,
    edges,
    locations,
    strings,
  };
}

export function readJson(file: string): JsonSnapshot {
  return JSON.parse(readFileSync(file, 'utf8')) as JsonSnapshot;
}

export function writeText(file: string, text: string | Buffer): string {
  writeFileSync(file, text);
  return file;
}

/** Checks a HeapSnapshot against the file's JSON, number by number (to_node as ordinals, locations too). */
export function differencesFromJson(s: HeapSnapshot, j: JsonSnapshot): string[] {
  const out: string[] = [];
  // the reader stores node records without edge_count (compared through firstEdge) and trace_node_id
  const fileFields = j.snapshot.meta.node_fields;
  const nf = fileFields.length;
  const sf = s.nodeFieldCount;
  const stored = fileFields.filter((f) => f !== 'edge_count' && f !== 'trace_node_id');
  if (s.meta.nodeFields.join() !== stored.join()) out.push(`stored node fields ${s.meta.nodeFields.join()}`);
  if (s.nodes.length !== (j.nodes.length / nf) * sf) out.push(`nodes length ${s.nodes.length} vs ${j.nodes.length}`);
  // the reader keeps an array per edge field: types, names and targets (as ordinals)
  const fileEdgeFields = j.snapshot.meta.edge_fields;
  const fef = fileEdgeFields.length;
  if (s.edgeCount !== j.edges.length / fef) out.push(`edge count ${s.edgeCount} vs ${j.edges.length / fef}`);
  if (s.edgeNames.length !== s.edgeCount || s.edgeTargets.length !== s.edgeCount) out.push('edge arrays length');
  const countOff = fileFields.indexOf('edge_count');
  for (let o = 0; o < j.nodes.length / nf && out.length < 5; o++) {
    stored.forEach((f, k) => {
      const want = j.nodes[o * nf + fileFields.indexOf(f)];
      // a self size over 2^32-1 is kept beside the records (which hold 0xffffffff): read it as the engine does
      const got = f === 'self_size' ? s.nodeSelfSize(o) : s.nodes[o * sf + k];
      if (got !== want) out.push(`node ${o} ${f} ${got} vs ${want}`);
    });
    const count = s.firstEdge[o + 1] - s.firstEdge[o];
    if (count !== j.nodes[o * nf + countOff])
      out.push(`node ${o} edge_count ${count} vs ${j.nodes[o * nf + countOff]}`);
  }
  const [fileType, fileName, fileTo] = ['type', 'name_or_index', 'to_node'].map((f) => fileEdgeFields.indexOf(f));
  for (let e = 0; e < j.edges.length / fef && out.length < 5; e++) {
    const want = [j.edges[e * fef + fileType], j.edges[e * fef + fileName], j.edges[e * fef + fileTo] / nf];
    const got = [s.edgeTypes[e], s.edgeNames[e], s.edgeTargets[e]];
    if (got.join() !== want.join()) out.push(`edge ${e} ${got.join()} vs ${want.join()}`);
  }
  if (s.strings.length !== j.strings.length) out.push(`strings length ${s.strings.length} vs ${j.strings.length}`);
  for (let i = 0; i < j.strings.length && out.length < 5; i++) {
    if (s.strings.get(i) !== j.strings[i]) out.push(`strings[${i}] ${JSON.stringify(s.strings.get(i))}`);
  }
  const loc = j.locations ?? [];
  if (s.locations.length !== loc.length) out.push(`locations length ${s.locations.length} vs ${loc.length}`);
  for (let i = 0; i < loc.length && out.length < 5; i++) {
    const want = i % 4 === 0 ? loc[i] / nf : loc[i];
    if (s.locations[i] !== want) out.push(`locations[${i}] ${s.locations[i]} vs ${want}`);
  }
  return out;
}

/** The invariants every HeapSnapshot the reader returns must hold, whatever the file was. */
export function inconsistencies(s: HeapSnapshot): string[] {
  const out: string[] = [];
  const nf = s.nodeFieldCount;
  if (s.nodes.length !== s.nodeCount * nf || s.nodeCount < 1) out.push('node count');
  if (s.edgeNames.length !== s.edgeCount || s.edgeTargets.length !== s.edgeCount) out.push('edge count');
  if (s.firstEdge.length !== s.nodeCount + 1 || s.firstEdge[s.nodeCount] !== s.edgeCount) out.push('firstEdge');
  for (let o = 0; o < s.nodeCount; o++) {
    const i = o * nf;
    if (s.firstEdge[o + 1] < s.firstEdge[o]) out.push(`firstEdge at ${o}`);
    if (s.nodes[i + s.nodeNameOffset] >= s.strings.length) out.push(`node ${o} name`);
    if (s.nodes[i + s.nodeTypeOffset] >= s.meta.nodeTypes.length) out.push(`node ${o} type`);
    if (out.length > 5) return out;
  }
  const element = s.edgeType.element;
  const hidden = s.edgeType.hidden;
  for (let e = 0; e < s.edgeCount; e++) {
    const t = s.edgeTypeOf(e);
    if (t >= s.meta.edgeTypes.length) out.push(`edge ${e} type`);
    if (s.edgeTarget(e) >= s.nodeCount) out.push(`edge ${e} target`);
    if (t !== element && t !== hidden && s.edgeNameOrIndex(e) >= s.strings.length) out.push(`edge ${e} name`);
    if (out.length > 5) return out;
  }
  for (let i = 0; i < s.locations.length; i += 4) if (s.locations[i] >= s.nodeCount) out.push(`location ${i}`);
  if (s.locations.length % 4 !== 0) out.push('locations length');
  return out;
}

/** mulberry32: a small, fast, reproducible random source for seeded tests. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
