import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { detachedNativeNodes } from '../../src/analysis/dom-state.js';
import { HeapwatchError } from '../../src/errors.js';
import { type ReadOptions, readSnapshot } from '../../src/snapshot/reader.js';
import { HeapSnapshot } from '../../src/snapshot/snapshot.js';
import {
  differencesFromJson,
  handWritten,
  inconsistencies,
  type JsonSnapshot,
  readJson,
  reduceSnapshot,
  serializeV8Style,
  tempDir,
  writeRealSnapshot,
} from './helpers.js';
import { nodeBinary } from './node-versions.js';

const dir = tempDir();
const handFile = join(dir, 'hand.heapsnapshot');
const handText = serializeV8Style(handWritten());
let realFile = '';
let real: JsonSnapshot;

beforeAll(() => {
  writeFileSync(handFile, handText);
  realFile = writeRealSnapshot(join(dir, 'real.heapsnapshot'));
  real = readJson(realFile);
});

/** Reads a file expecting the one-line bad-input error; returns its message. */
async function failure(file: string, opts?: ReadOptions): Promise<string> {
  try {
    await readSnapshot(file, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(HeapwatchError);
    const err = e as HeapwatchError;
    expect(err.exitCode).toBe(2);
    expect(err.message).not.toContain('\n');
    return err.message;
  }
  throw new Error(`expected ${file} to be rejected`);
}

function variant(name: string, text: string | Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('the hand-written snapshot', () => {
  it('reads exact counts, fields, names, targets as ordinals, firstEdge and locations', async () => {
    const s = await readSnapshot(handFile);
    expect(s.nodeCount).toBe(12);
    expect(s.edgeCount).toBe(13);
    // stored records leave out edge_count (firstEdge has it) and trace_node_id
    expect(s.nodeFieldCount).toBe(5);
    expect(s.meta.nodeFields).toEqual(['type', 'name', 'id', 'self_size', 'detachedness']);
    expect(s.meta.fileNodeFields).toEqual([
      'type',
      'name',
      'id',
      'self_size',
      'edge_count',
      'trace_node_id',
      'detachedness',
    ]);
    // an array per edge field: the type a byte per edge, the name and the target (an ordinal) 4 bytes each
    expect(s.meta.edgeFields).toEqual(['type', 'name_or_index', 'to_node']);
    expect(s.edgeTypes).toHaveLength(13);
    expect(s.edgeNames).toHaveLength(13);
    expect(s.edgeTargets).toHaveLength(13);
    expect(s.strings).toHaveLength(18);
    expect(s.nodeName(2)).toBe('global');
    expect(s.nodeTypeName(3)).toBe('object');
    expect(s.nodeName(3)).toBe('Order');
    expect(s.nodeId(4)).toBe(9);
    expect(s.nodeSelfSize(7)).toBe(56);
    expect(s.nodeTypeName(7)).toBe('closure');
    expect(s.nodeDetachedness(11)).toBe(2);
    expect(s.nodeName(10)).toBe('quote " backslash \\ tab \t é 😀 \u0001');
    expect(Array.from(s.firstEdge)).toEqual([0, 2, 3, 6, 8, 9, 11, 11, 12, 13, 13, 13, 13]);
    // global's edges: orders → Array (5), map → Map (9), onOrder → closure (7)
    expect([3, 4, 5].map((e) => [s.edgeName(e), s.edgeTarget(e)])).toEqual([
      ['orders', 5],
      ['map', 9],
      ['onOrder', 7],
    ]);
    expect(s.edgeTypeName(9)).toBe('element');
    expect(s.edgeName(10)).toBe('1');
    expect(s.edgeTarget(10)).toBe(4);
    expect(s.edgeTypeName(12)).toBe('weak');
    expect(s.edgeTarget(12)).toBe(3);
    expect(Array.from(s.locations)).toEqual([7, 3, 10, 4]);
    expect(inconsistencies(s)).toEqual([]);
  });

  it('gives the same result at every buffer size, on one thread and on two', async () => {
    const want = await readSnapshot(handFile, { parallel: false });
    for (const bufferSize of [1, 2, 3, 5, 8, 13, 64, 1000]) {
      for (const parallel of [false, true]) {
        for (const chunkSize of parallel ? [1, 2, 7, 100] : [undefined]) {
          const s = await readSnapshot(handFile, { bufferSize, parallel, chunkSize });
          expect({ bufferSize, parallel, chunkSize, nodes: Array.from(s.nodes) }).toEqual({
            bufferSize,
            parallel,
            chunkSize,
            nodes: Array.from(want.nodes),
          });
          for (const field of ['edgeTypes', 'edgeNames', 'edgeTargets'] as const) {
            expect(Array.from(s[field]), field).toEqual(Array.from(want[field]));
          }
          expect(s.strings.toArray()).toEqual(want.strings.toArray());
          expect(Array.from(s.locations)).toEqual(Array.from(want.locations));
        }
      }
    }
  });

  it('reads other node layouts (fields reordered, one missing, one more) as JSON.parse sees them', async () => {
    const j = handWritten();
    const fields = j.snapshot.meta.node_fields;
    const layouts = [
      ['self_size', 'edge_count', 'type', 'trace_node_id', 'name', 'detachedness', 'id'],
      ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id'],
      ['type', 'name', 'id', 'self_size', 'edge_count'],
      ['extra', 'type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'],
    ];
    for (const layout of layouts) {
      const nodeCount = j.nodes.length / fields.length;
      const nodes: number[] = [];
      for (let o = 0; o < nodeCount; o++) {
        for (const f of layout) nodes.push(f === 'extra' ? 1000 + o : j.nodes[o * fields.length + fields.indexOf(f)]);
      }
      const toOff = j.snapshot.meta.edge_fields.indexOf('to_node');
      const ef = j.snapshot.meta.edge_fields.length;
      const edges = j.edges.map((v, i) => (i % ef === toOff ? (v / fields.length) * layout.length : v));
      const moved: JsonSnapshot = {
        ...j,
        snapshot: {
          ...j.snapshot,
          meta: {
            ...j.snapshot.meta,
            node_fields: layout,
            // each field's type description goes with it
            node_types: layout.map((f) => (f === 'extra' ? 'number' : j.snapshot.meta.node_types[fields.indexOf(f)])),
          },
        },
        nodes,
        edges,
        locations: (j.locations ?? []).map((v, i) => (i % 4 === 0 ? (v / fields.length) * layout.length : v)),
      };
      const file = variant(`layout-${layout.length}.heapsnapshot`, serializeV8Style(moved));
      for (const parallel of [false, true]) {
        const s = await readSnapshot(file, { parallel, bufferSize: 7, chunkSize: 3 });
        expect({ layout, parallel, differences: differencesFromJson(s, moved) }).toEqual({
          layout,
          parallel,
          differences: [],
        });
      }
    }
  });

  it('takes element edge names as numbers, not string indexes', async () => {
    const s = await readSnapshot(variant('element.heapsnapshot', handText.replace('\n,1,1,7\n', '\n,1,999,7\n')));
    expect(s.edgeTypeName(1)).toBe('element');
    expect(s.edgeName(1)).toBe('999');
    expect(s.edgeTarget(1)).toBe(1);
  });

  it('decodes \\u escapes, surrogate pairs and escaped quotes at every buffer size', async () => {
    const escaped = '"\\ud83d\\ude00 \\" \\\\ \\u00e9\\n"';
    const file = variant('escapes.heapsnapshot', handText.replace('"hello"', escaped));
    for (const bufferSize of [1, 2, 3, 5, 64]) {
      const s = await readSnapshot(file, { bufferSize });
      expect(s.nodeName(6)).toBe('😀 " \\ é\n');
      expect(s.nodeName(7)).toBe('onOrder');
    }
  });

  it('accepts other whitespace and section order, and skips sections it does not know', async () => {
    const j = handWritten();
    const text = JSON.stringify(
      {
        snapshot: j.snapshot,
        extra_section: { nested: [1, -2.5e3, true, null, 'x\\"'] },
        nodes: j.nodes,
        strings: j.strings,
        samples: [1, 2],
        edges: j.edges,
        trace_tree: [[1, 2, 3, 4, []]],
      },
      null,
      '\t',
    );
    const s = await readSnapshot(variant('reordered.heapsnapshot', text));
    expect(s.nodeCount).toBe(12);
    expect(s.edgeTarget(5)).toBe(7);
    expect(s.locations).toHaveLength(0);
    expect(s.strings.toArray()).toEqual(j.strings);
  });
});

describe('real snapshots', () => {
  it('reads a v8.writeHeapSnapshot file of this Node exactly as JSON.parse sees it', async () => {
    for (const parallel of [false, true]) {
      // the WebAssembly scanner (default) and the JS one it falls back to without WebAssembly
      for (const scanner of ['auto', 'js'] as const) {
        const s = await readSnapshot(realFile, { parallel, chunkSize: 4096, scanner });
        expect(differencesFromJson(s, real), `${scanner}, parallel: ${parallel}`).toEqual([]);
        expect(inconsistencies(s)).toEqual([]);
      }
    }
    const s = await readSnapshot(realFile);
    expect(s.strings.toArray()).toContain('quote " and backslash \\');
    expect(s.strings.toArray()).toContain('é ü 漢字');
    // V8 writes astral characters as one \\u escape of their low 16 bits (U+1F600 as \\uF600): JSON.parse agrees
    expect(s.strings.toArray()).toContain('\uF600 pair');
    // V8 writes a lone surrogate as '???' (it is in JSON.parse's strings the same way, checked above)
    expect(s.strings.toArray()).toContain('??? lone');
    expect(s.strings.toArray()).toContain('\u0001 control');
  });

  it('reads a cut-down real snapshot with tiny buffers and chunks', async () => {
    const small = reduceSnapshot(real, 300);
    const file = variant('reduced.heapsnapshot', serializeV8Style(small));
    for (const [bufferSize, chunkSize] of [
      [1, 1],
      [3, 5],
      [17, 29],
      [4096, 64],
    ]) {
      for (const parallel of [false, true]) {
        const s = await readSnapshot(file, { bufferSize, chunkSize, parallel });
        expect(differencesFromJson(s, small)).toEqual([]);
      }
    }
  });

  it('lists the nodes with a DOM state, from which the DOM state pass gives what a walk over all records gives', async () => {
    for (const parallel of [false, true]) {
      const s = await readSnapshot(realFile, { parallel, bufferSize: 4096, chunkSize: 4096 });
      const stated: number[] = [];
      for (let o = 0; o < s.nodeCount; o++) if ((s.nodeDetachedness(o) & 3) !== 0) stated.push(o);
      expect(stated.length).toBeGreaterThan(0); // Node's own detached natives (Node / AliasedUint8Array, …)
      expect(s.domStateNodes).toEqual(stated);
      const unlisted = new HeapSnapshot(
        s.meta,
        s.nodes,
        s.nodeTypes,
        s.edgeTypes,
        s.edgeNames,
        s.edgeTargets,
        s.firstEdge,
        s.strings,
        s.locations,
      );
      expect(unlisted.domStateNodes).toBeNull();
      expect(Array.from(detachedNativeNodes(s) ?? [])).toEqual(Array.from(detachedNativeNodes(unlisted) ?? []));
    }
  });

  it('reports progress from 0 to 1', async () => {
    const seen: number[] = [];
    await readSnapshot(realFile, { bufferSize: 65536, onProgress: (f) => seen.push(f) });
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= seen[i - 1]))).toBe(true);
    expect(seen[seen.length - 1]).toBeGreaterThan(0.99);
  });

  it('carries on alone when the worker dies, with the same result', async () => {
    const want = await readSnapshot(realFile, { parallel: false });
    const scripts = {
      'exits at once': '',
      'throws on load': 'throw new Error("boom");',
      'exits mid-way': 'process.exit(3);',
    };
    for (const [what, code] of Object.entries(scripts)) {
      const script = join(dir, `worker-${what.replace(/\W+/g, '-')}.mjs`);
      writeFileSync(script, code);
      const s = await readSnapshot(realFile, { parallel: true, chunkSize: 4096, workerScript: pathToFileURL(script) });
      expect(differencesFromJson(s, real), what).toEqual([]);
      expect(Array.from(s.firstEdge), what).toEqual(Array.from(want.firstEdge));
    }
  });

  for (const major of [22, 24]) {
    it(`reads a snapshot written by Node ${major}`, { timeout: 600_000 }, async () => {
      const file = writeRealSnapshot(join(dir, `node${major}.heapsnapshot`), nodeBinary(major));
      const j = readJson(file);
      for (const parallel of [false, true]) {
        const s = await readSnapshot(file, { parallel, chunkSize: 65536 });
        expect(differencesFromJson(s, j)).toEqual([]);
        expect(inconsistencies(s)).toEqual([]);
        expect(s.meta.fileNodeFields).toEqual(j.snapshot.meta.node_fields);
        expect(s.strings.toArray()).toContain('é ü 漢字');
      }
      const s = await readSnapshot(file);
      // Node 24 (V8 13.6) dropped trace_node_id from the node record
      expect(s.meta.fileNodeFields?.includes('trace_node_id')).toBe(major < 24);
      expect(s.nodeTraceNodeIdOffset).toBe(-1);
      expect(s.nodeDetachednessOffset).toBeGreaterThanOrEqual(0);
    });
  }
});

describe('bad input ends in one line with the byte offset, exit code 2', () => {
  const cases: [string, () => string | Buffer, RegExp][] = [
    ['empty file', () => '', /^empty file \(.*:0\)$/],
    ['only whitespace', () => '  \n ', /^file holds only whitespace \(.*:4\)$/],
    ['not JSON', () => 'hello world', /^not a heap snapshot: expected a JSON object \(.*:0\)$/],
    ['a JSON array', () => '[1,2,3]', /^not a heap snapshot: expected a JSON object \(.*:0\)$/],
    ['an empty object', () => '{}', /^the 'snapshot' section is missing \(.*:1\)$/],
    ['garbage bytes', () => Buffer.from([0xff, 0xfe, 0x00, 0x7b]), /\(.*:0\)$/],
    [
      'truncated in the header',
      () => handText.slice(0, 100),
      /^file ends where .* was expected \(.*:100\)$|ends inside a string \(.*:100\)$/,
    ],
    [
      'truncated in nodes',
      () => handText.slice(0, handText.indexOf('"edges"') - 20),
      /^file ends inside the nodes array \(.*:\d+\)$/,
    ],
    [
      'truncated in strings',
      () => handText.slice(0, handText.length - 10),
      /^file ends (inside a string|where ',' or ']' in the strings was expected) \(.*:\d+\)$/,
    ],
    ['truncated before the final brace', () => handText.slice(0, -1), /^file ends where .* \(.*:\d+\)$/],
    ['data after the end', () => `${handText} {}`, /^unexpected data after the end of the snapshot \(.*:\d+\)$/],
    [
      'a letter in nodes',
      () => handText.replace('"nodes":[9,0,1', '"nodes":[9,x,1'),
      /^unexpected 'x' in a number array \(.*:\d+\)$/,
    ],
    [
      'a missing comma in edges',
      () => handText.replace('"edges":[5,2,14', '"edges":[5,2 14'),
      /^two numbers without a comma between them \(.*:\d+\)$/,
    ],
    [
      'node_count larger than the nodes array',
      () => handText.replace('"node_count":12', '"node_count":13'),
      /^nodes: 84 numbers where the snapshot meta announces 91 \(.*:\d+\)$/,
    ],
    [
      'edge_count smaller than the edges array',
      () => handText.replace('"edge_count":13', '"edge_count":12'),
      /edges: more numbers than the snapshot meta announces|node edge counts add up/,
    ],
    [
      'an edge past the last node',
      () => handText.replace('"edges":[5,2,14', '"edges":[5,2,84'),
      /^edge points past the last node \(.*:\d+\)$/,
    ],
    [
      'to_node not a multiple of node_fields',
      () => handText.replace('"edges":[5,2,14', '"edges":[5,2,15'),
      /^edge to_node is not a multiple of node_fields \(.*:\d+\)$/,
    ],
    [
      'a node name past the strings',
      () => handText.replace('"nodes":[9,0,1', '"nodes":[9,18,1'),
      /^node name is not a string index \(.*:\d+\)$/,
    ],
    [
      'meta without node_fields',
      () => handText.replace('"node_fields"', '"node_fieldz"'),
      /^snapshot.meta.node_fields is missing or not a list of names \(.*:\d+\)$/,
    ],
    [
      'meta lacking edge_count among node fields',
      () => handText.replace('"edge_count","trace_node_id"', '"edge_cnt","trace_node_id"'),
      /^snapshot.meta.node_fields lacks 'edge_count' \(.*:\d+\)$/,
    ],
    [
      'an absurd node_count',
      () => handText.replace('"node_count":12', '"node_count":99999999999'),
      /^the file is too short for its node_count and edge_count \(truncated\?\) \(.*:\d+\)$/,
    ],
    ['a section twice', () => handText.replace('"samples":[]', '"nodes":[]'), /^the 'nodes' section appears twice/],
    [
      'a bad escape in a string',
      () => handText.replace('"hello"', '"hel\\qlo"'),
      /^bad escape in a string \(.*:\d+\)$/,
    ],
    [
      'a node type past the type list',
      () => handText.replace('"nodes":[9,0,1', '"nodes":[99,0,1'),
      /^node type out of range \(.*:\d+\)$/,
    ],
    [
      'edge counts that add up to more than edge_count',
      () => handText.replace('"nodes":[9,0,1,0,2,', '"nodes":[9,0,1,0,3,'),
      /^node edge counts add up to more than edge_count \(.*:\d+\)$/,
    ],
    [
      'an edge name past the strings',
      () => handText.replace('"edges":[5,2,14', '"edges":[5,99,14'),
      /^edge name is not a string index \(.*:\d+\)$/,
    ],
    [
      'a location of no node',
      () => handText.replace('"locations":[49,3,10,4]', '"locations":[84,3,10,4]'),
      /^location points at no node \(.*:\d+\)$/,
    ],
    [
      'locations not in whole records',
      () => handText.replace('"locations":[49,3,10,4]', '"locations":[49,3,10]'),
      /^locations is not a whole number of records \(.*:\d+\)$/,
    ],
    [
      'a number over 32 bits (a node id: only self sizes may be that big)',
      () => handText.replace('"nodes":[9,0,1,0', '"nodes":[9,0,4294967296,0'),
      /^number too large \(.*:\d+\)$/,
    ],
  ];

  for (const [name, make, pattern] of cases) {
    it(name, async () => {
      const text = make();
      const file = variant(`bad-${name.replace(/\W+/g, '-')}.heapsnapshot`, text);
      for (const opts of [{ parallel: false }, { parallel: true, bufferSize: 7, chunkSize: 3 }]) {
        const message = await failure(file, opts);
        expect(message).toMatch(pattern);
        expect(message).toContain(`(${file}:`);
        const offset = Number(/:(\d+)\)$/.exec(message)![1]);
        expect(offset).toBeLessThanOrEqual(Buffer.byteLength(text));
      }
    });
  }

  it('points at the exact byte of a bad edge target and of a letter among the numbers', async () => {
    const bad = handText.replace('"edges":[5,2,14', '"edges":[5,2,84');
    const m = await failure(variant('target.heapsnapshot', bad));
    expect(m).toMatch(new RegExp(`:${bad.indexOf('"edges":[5,2,84') + '"edges":[5,2,'.length}\\)$`));
    const letter = handText.replace('"nodes":[9,0,1', '"nodes":[9,x,1');
    const m2 = await failure(variant('letter.heapsnapshot', letter), { parallel: true, bufferSize: 3 });
    expect(m2).toMatch(new RegExp(`:${letter.indexOf('"nodes":[9,x') + '"nodes":[9,'.length}\\)$`));
    // node names are checked once the strings are read, after the worker has compacted the node records: the
    // offset is still the file's number, on one thread and on two
    const j = handWritten();
    j.nodes[3 * j.snapshot.meta.node_fields.length + 1] = 99; // node 3's name (fields: type, name, …)
    const badName = serializeV8Style(j);
    let line = badName.indexOf('"nodes":[') + '"nodes":['.length;
    for (let k = 0; k < 3; k++) line = badName.indexOf('\n,', line) + 2; // one record a line
    const at = badName.indexOf(',', line) + 1;
    expect(badName.slice(at, at + 3)).toBe('99,');
    for (const opts of [{ parallel: false }, { parallel: true, bufferSize: 7, chunkSize: 3 }]) {
      expect(await failure(variant('name.heapsnapshot', badName), opts)).toMatch(new RegExp(`:${at}\\)$`));
    }
  });

  it('points at the exact number of a bad field in a late node or edge record, at every scan boundary', async () => {
    // the records are checked as they are parsed, through windows that cut them anywhere: the offset must be
    // the file's number wherever the record fell, on one thread (edges read forward) and on two (from both ends)
    const base = handWritten();
    const nf = base.snapshot.meta.node_fields.length;
    const ef = base.snapshot.meta.edge_fields.length;
    const lastNode = base.nodes.length / nf - 1;
    const lastEdge = base.edges.length / ef - 2; // the one before the last: not where the two scans meet
    // what to spoil: the section, the index of the number there, its bad value, and the error's words
    const cases: [string, 'nodes' | 'edges', number, number, RegExp][] = [
      ['type of the last node', 'nodes', lastNode * nf, 77, /node type out of range/],
      ['edge_count of the last node', 'nodes', lastNode * nf + 4, 9, /node edge counts add up to more than edge_count/],
      ['type of a late edge', 'edges', lastEdge * ef, 77, /edge type out of range/],
      ['name of a late property edge', 'edges', lastEdge * ef + 1, 999, /edge name is not a string index/],
      ['target of a late edge', 'edges', lastEdge * ef + 2, 1, /edge to_node is not a multiple of node_fields/],
    ];
    for (const [what, section, index, value, pattern] of cases) {
      const j = structuredClone(base);
      j[section][index] = value;
      const text = serializeV8Style(j);
      // the byte of number `index` of the section
      let at = text.indexOf(`"${section}":[`) + section.length + 4;
      for (let k = 0; k < index; k++) at = text.indexOf(',', at) + 1;
      while (text[at] === '\n') at++;
      const file = variant(`late-${what.replace(/\W+/g, '-')}.heapsnapshot`, text);
      for (const opts of [
        { parallel: false },
        { parallel: false, bufferSize: 5 },
        { parallel: true, bufferSize: 7, chunkSize: 3 },
        { parallel: true, bufferSize: 100, chunkSize: 11 },
      ]) {
        const message = await failure(file, opts);
        expect({ what, opts, message }).toEqual({ what, opts, message: expect.stringMatching(pattern) });
        expect({ what, opts, message }).toEqual({
          what,
          opts,
          message: expect.stringMatching(new RegExp(`:${at}\\)$`)),
        });
      }
    }
  });

  it('names a missing file and a directory with exit code 2', async () => {
    await expect(readSnapshot(join(dir, 'nope.heapsnapshot'))).rejects.toMatchObject({
      exitCode: 2,
      message: `no such file: ${join(dir, 'nope.heapsnapshot')}`,
    });
    await expect(readSnapshot(dir)).rejects.toMatchObject({
      exitCode: 2,
      message: `not a regular file (a directory): ${dir}`,
    });
  });
});
