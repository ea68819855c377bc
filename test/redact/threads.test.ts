// `redact` on worker threads (files of 16 MB and more by default; forced here on a small real snapshot): the nodes
// and edges parsed on two threads, each writing the bytes it parses to the copy. The copy must be byte for byte the
// one-thread copy, and a thread that fails must leave the same copy behind, made on the main thread.
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BackEdgeUses } from '../../src/redact/back-edge-uses.js';
import { BackgroundSyncs } from '../../src/redact/background-syncs.js';
import { edgesCloseBefore } from '../../src/redact/edges-end.js';
import { FrontCopy } from '../../src/redact/front-copy.js';
import { readFrontHeader } from '../../src/redact/front-header.js';
import { readLayout } from '../../src/redact/layout.js';
import { type OnePass, readFront } from '../../src/redact/one-pass.js';
import { Output } from '../../src/redact/output-buffer.js';
import { OutputWriter } from '../../src/redact/output-writer.js';
import {
  type NodesWorker,
  orInto,
  type ParallelOptions,
  publishLimit,
  readFrontParallel,
  startNodesEarly,
  stopNodesWorker,
} from '../../src/redact/parallel-pass.js';
import { USES_CTRL } from '../../src/redact/parse-protocol.js';
import { namedStrings, RecordUses } from '../../src/redact/record-uses.js';
import { type RedactOptions, redactFile } from '../../src/redact/redact-file.js';
import { Replacer } from '../../src/redact/replacement.js';
import { writeStringsSection } from '../../src/redact/strings-section.js';
import { findStringsOpen, findTrailingStrings, readTrailingStrings } from '../../src/redact/trailing-strings.js';
import { asciiEscapedLength, utf16Length } from '../../src/redact/utf16-length.js';
import { parseHeader } from '../../src/snapshot/meta.js';
import type { SnapshotMeta } from '../../src/snapshot/snapshot.js';
import { StringTable } from '../../src/snapshot/string-table.js';
import { runFixture } from '../leaks/helpers.js';
import { redactedBytes } from './redacted-bytes.js';
import { type StringsFile, stringsFile as valuesFile } from './strings-file.js';

let dir: string;
let raw: string;
let oneThread: Buffer;

const redacted = (file: string, opts: RedactOptions = {}): Promise<Buffer> => redactedBytes(dir, file, opts);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-redact-threads-'));
  raw = join(dir, 'listeners.heapsnapshot');
  runFixture('listeners.cjs', raw);
  oneThread = await redacted(raw, { threads: false });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('redact on threads', () => {
  test('the front written by the parse threads: the same bytes as on one thread', async () => {
    expect(oneThread.length).toBeGreaterThan(1 << 20);
    expect((await redacted(raw, { threads: true })).equals(oneThread)).toBe(true);
  });

  for (const copying of [false, true]) {
    const how = copying
      ? '; this thread copies edge chunks while the worker ends the nodes, and parses them once it has'
      : '';
    test(`the nodes and the edges written by the threads that parse them; the main thread copies only the rest${how}`, async () => {
      const fd = openSync(raw, 'r');
      const out = join(dir, `front-written-${copying}.tmp`);
      const outFd = openSync(out, 'wx');
      try {
        const size = statSync(raw).size;
        const bytes = readFileSync(raw);
        const open = findStringsOpen(fd, size);
        const front = { fd: outFd, limit: open + 1 };
        const early = startNodesEarly(fd, size, undefined, outFd)!;
        // told the strings start before its nodes, it is not told anything (the caller stops it)
        expect(publishLimit(early, early.nodesStart - 1, front)).toBe(false);
        expect(publishLimit(early, open, front)).toBe(true);
        const known = readTrailingStrings(fd, size, open, () => {})!;
        // without opts.frontCopy no copy from this thread: the worker writes every node's bytes, the threads the edge
        // chunks they parse; a small edge chunk, so that both threads take edges
        const opts: ParallelOptions = copying
          ? { chunkSize: 4096, earlyEdgeChunks: 7, frontCopy: new FrontCopy(fd, outFd, new OutputWriter(outFd)) }
          : { chunkSize: 4096 };
        const read = await readFrontParallel(fd, size, known, () => {}, opts, early, front);
        const { layout, written } = read as OnePass & { written: [number, number][] };
        const nodesClose = bytes.indexOf(']', layout.nodesStart);
        const edgesClose = bytes.indexOf(']', layout.edgesStart);
        expect(written).toEqual([
          [layout.nodesStart, nodesClose + 1],
          [layout.edgesStart, edgesClose],
        ]);
        const writer = new OutputWriter(outFd);
        let copied = 0;
        const counting = {
          write: (b: Uint8Array, pos: number) => {
            copied += b.length;
            writer.write(b, pos);
          },
        };
        new FrontCopy(fd, outFd, counting as OutputWriter).fillAround(written, open + 1);
        expect(copied).toBe(open + 1 - (nodesClose + 1 - layout.nodesStart) - (edgesClose - layout.edgesStart));
        expect(readFileSync(out).equals(bytes.subarray(0, open + 1))).toBe(true);
      } finally {
        closeSync(outFd);
        closeSync(fd);
        rmSync(out);
      }
    });
  }

  test('a worker told that the front ends inside the nodes writes nothing past it and gives up', async () => {
    const fd = openSync(raw, 'r');
    const out = join(dir, 'front-limited.tmp');
    const outFd = openSync(out, 'wx');
    try {
      const size = statSync(raw).size;
      const open = findStringsOpen(fd, size);
      const early = startNodesEarly(fd, size, undefined, outFd)!;
      const limit = early.nodesStart + 100;
      expect(publishLimit(early, open, { fd: outFd, limit })).toBe(true);
      const known = readTrailingStrings(fd, size, open, () => {})!;
      expect(await readFrontParallel(fd, size, known, () => {}, {}, early, { fd: outFd, limit })).toBe(null);
      expect(statSync(out).size).toBeLessThanOrEqual(limit);
    } finally {
      closeSync(outFd);
      closeSync(fd);
      rmSync(out);
    }
  });

  test('a parse worker that writes garbage over the front and fails: the main thread writes it all, the same bytes', async () => {
    const script = join(dir, 'parse-writes-garbage.mjs');
    writeFileSync(
      script,
      `import { writeSync } from 'node:fs';
      import { parentPort, workerData } from 'node:worker_threads';
      const { fd, limit } = workerData.out;
      writeSync(fd, Buffer.alloc(limit, 0x5a), 0, limit, 0);
      parentPort.postMessage({ crash: 'no' });`,
    );
    const copy = await redacted(raw, { threads: true, threadOptions: { workerScript: pathToFileURL(script) } });
    expect(copy.equals(oneThread)).toBe(true);
  });
});

/** The uses two threads find in a file (null or 'no worker' when they give up), and those one thread finds. */
async function usesOf(file: string, opts: ParallelOptions) {
  const fd = openSync(file, 'r');
  try {
    const size = statSync(file).size;
    const known = findTrailingStrings(fd, size, () => {})!;
    const two = await readFrontParallel(fd, size, known, () => {}, opts);
    let one: Uint8Array | null = null;
    try {
      one = readFront(fd, size, known, null, () => {})?.uses ?? null;
    } catch {}
    return { two: two && typeof two === 'object' ? two.uses : two, one };
  } finally {
    closeSync(fd);
  }
}

/** The file with the number at `index` of the array `key` replaced by `value`. */
function withNumber(key: string, index: number, value: (old: number) => number): string {
  const text = readFileSync(raw, 'latin1');
  let at = text.indexOf(`"${key}":[`) + key.length + 4;
  for (let k = 0; k < index; k++) at = text.indexOf(',', at) + 1;
  while (text[at] === '\n' || text[at] === ' ') at++;
  let end = at;
  while (text[end] >= '0' && text[end] <= '9') end++;
  const file = join(dir, `${key}-${index}.heapsnapshot`);
  writeFileSync(file, `${text.slice(0, at)}${value(Number(text.slice(at, end)))}${text.slice(end)}`, 'latin1');
  return file;
}

describe("the edges' end found from the strings back", () => {
  test("V8's layout: the edges' `]`; another order of the sections after them: not taken, two passes, the same bytes", async () => {
    const bytes = readFileSync(raw);
    const fd = openSync(raw, 'r');
    const edgesStart = bytes.indexOf('"edges":[') + '"edges":['.length;
    const open = bytes.indexOf('"strings":[') + '"strings":'.length;
    try {
      expect(edgesCloseBefore(fd, edgesStart, open)).toBe(bytes.indexOf(']', edgesStart));
      // the key searched for comes before the least place the edges can end: none
      expect(edgesCloseBefore(fd, bytes.indexOf('"trace_function_infos"') + 1, open)).toBe(-1);
    } finally {
      closeSync(fd);
    }
    // trace_tree between the edges and trace_function_infos: the `]` found is trace_tree's, the parse refuses it
    const doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    const keys = Object.keys(doc).filter((k) => k !== 'trace_tree');
    keys.splice(keys.indexOf('trace_function_infos'), 0, 'trace_tree');
    const moved = join(dir, 'trace-tree-first.heapsnapshot');
    writeFileSync(moved, `{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(doc[k])}`).join(',\n')}}`);
    const movedFd = openSync(moved, 'r');
    try {
      const text = readFileSync(moved);
      const at = edgesCloseBefore(movedFd, text.indexOf('"edges":['), text.indexOf('"strings":['));
      expect(at).toBe(text.indexOf(']', text.indexOf('"trace_tree":[')));
      expect((await usesOf(moved, { chunkSize: 4096 })).two).toBe(null);
    } finally {
      closeSync(movedFd);
    }
    const copy = await redacted(moved, { threads: true });
    expect(copy.equals(await redacted(moved, { twoPass: true }))).toBe(true);
    rmSync(moved);
  });
});

describe('nodes and edges parsed on two threads', () => {
  test('the same uses as one thread, wherever the two walks over the edges meet', async () => {
    for (const chunkSize of [4096, 65536, 1 << 20, 64 << 20]) {
      const { one, two } = await usesOf(raw, { chunkSize });
      expect(two, `${chunkSize}`).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(two as Uint8Array).equals(Buffer.from(one!)), `${chunkSize}`).toBe(true);
    }
    const copy = await redacted(raw, { threads: true, threadOptions: { chunkSize: 4096 } });
    expect(copy.equals(oneThread)).toBe(true);
  });

  test("edge chunks taken from the back before the nodes' edge counts are known, their records held: the same uses and bytes", async () => {
    for (const earlyEdgeChunks of [1, 7, 1e9]) {
      const { one, two } = await usesOf(raw, { chunkSize: 4096, earlyEdgeChunks });
      expect(two, `${earlyEdgeChunks}`).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(two as Uint8Array).equals(Buffer.from(one!)), `${earlyEdgeChunks}`).toBe(true);
    }
    const copy = await redacted(raw, { threads: true, threadOptions: { chunkSize: 4096, earlyEdgeChunks: 7 } });
    expect(copy.equals(oneThread)).toBe(true);
  });

  test('a defect in the first, a middle or the last node, the first edges or the last ones: given up, and the error two passes give', async () => {
    const doc = JSON.parse(readFileSync(raw, 'utf8')) as {
      snapshot: { meta: { edge_fields: string[]; node_fields: string[] } };
      nodes: number[];
      edges: number[];
    };
    const ef = doc.snapshot.meta.edge_fields.length;
    const to = doc.snapshot.meta.edge_fields.indexOf('to_node');
    const nf = doc.snapshot.meta.node_fields.length;
    const name = doc.snapshot.meta.node_fields.indexOf('name');
    const nodeCount = doc.nodes.length / nf;
    const broken = {
      // a node named by a string index past the table: the first node (the worker's walk), one in the middle
      // (where the two walks meet with some chunk size) and the last (the main thread's walk from the back)
      nodes: withNumber('nodes', 1, () => 1e9),
      'middle node': withNumber('nodes', Math.floor(nodeCount / 2) * nf + name, () => 1e9),
      'last node': withNumber('nodes', (nodeCount - 1) * nf + name, () => 1e9),
      // to_node one past a multiple of node_fields, in the first edge and in the last
      'first edge': withNumber('edges', to, (v) => v + 1),
      'last edge': withNumber('edges', doc.edges.length - ef + to, (v) => v + 1),
    };
    for (const [what, file] of Object.entries(broken)) {
      for (const chunkSize of [4096, 1 << 20]) expect((await usesOf(file, { chunkSize })).two, what).toBeNull();
      // every edge chunk taken from the back while the nodes end: checked as they are held
      expect((await usesOf(file, { chunkSize: 4096, earlyEdgeChunks: 1e9 })).two, what).toBeNull();
      const out = join(dir, 'broken.redacted.heapsnapshot');
      const failure = (opts: RedactOptions) =>
        redactFile(file, out, opts).then(
          () => 'no error',
          (e: Error) => e.message,
        );
      const message = await failure({ threads: true, threadOptions: { chunkSize: 4096 } });
      expect(message, what).toMatch(/^(node name is not a string index|edge to_node is not a node) \(/);
      expect(await failure({ twoPass: true }), what).toBe(message);
      const earlyEdges = { chunkSize: 4096, earlyEdgeChunks: 1e9 };
      expect(await failure({ threads: true, threadOptions: earlyEdges }), what).toBe(message);
      expect(readdirSync(dir).filter((f) => f.includes('broken.redacted'))).toEqual([]);
    }
  });

  test('a parse worker that fails: the main thread parses alone, the same bytes', async () => {
    const scripts = {
      'exits at once': 'process.exit(3);',
      'throws on load': 'throw new Error("boom");',
      'posts nonsense': 'import { parentPort } from "node:worker_threads"; parentPort.postMessage({});',
    };
    for (const [what, code] of Object.entries(scripts)) {
      const script = join(dir, `parse-${what.replace(/\W+/g, '-')}.mjs`);
      writeFileSync(script, code);
      const workerScript = pathToFileURL(script);
      expect((await usesOf(raw, { workerScript })).two, what).toBe('no worker');
      const copy = await redacted(raw, { threads: true, threadOptions: { workerScript } });
      expect(copy.equals(oneThread), what).toBe(true);
    }
  });
});

/** Resolves once the worker has parsed every node (or failed, or ended). */
async function nodesParsed(par: NodesWorker): Promise<void> {
  const atomics = Atomics as unknown as {
    waitAsync: (a: Int32Array, i: number, v: number) => { async: boolean; value: unknown };
  };
  let ended = false;
  const end = par.result.then(() => {
    ended = true;
  });
  while (!ended && Atomics.load(par.ctrl, USES_CTRL.nodesParsed) === 0) {
    const waited = atomics.waitAsync(par.ctrl, USES_CTRL.nodesParsed, 0);
    if (waited.async) await Promise.race([waited.value, end]);
  }
}

/**
 * As usesOf, with the worker started on the nodes before the strings are read (as `redact` does), and the strings
 * given to it only once it has parsed every node: the nodes are taken with no string known.
 */
async function usesOfEarly(file: string, opts: ParallelOptions) {
  const fd = openSync(file, 'r');
  try {
    const size = statSync(file).size;
    const open = findStringsOpen(fd, size);
    const early = startNodesEarly(fd, size, opts.workerScript);
    if (!early) return 'not started';
    await nodesParsed(early);
    const parsed = Atomics.load(early.ctrl, USES_CTRL.nodesParsed);
    const known = readTrailingStrings(fd, size, open, () => {});
    if (!known) {
      await stopNodesWorker(early);
      return 'no strings';
    }
    const two = await readFrontParallel(fd, size, known, () => {}, opts, early);
    return { parsed, two: two && typeof two === 'object' ? two.uses : two };
  } finally {
    closeSync(fd);
  }
}

describe('the nodes parsed before the strings are read', () => {
  test("the header and the nodes' start read from the front: those the walk over the whole file finds", () => {
    const fd = openSync(raw, 'r');
    try {
      const size = statSync(raw).size;
      const front = readFrontHeader(fd, size)!;
      const layout = readLayout(fd, size);
      expect(front.nodesStart).toBe(layout.nodesStart);
      expect(front.header).toEqual(layout.header);
    } finally {
      closeSync(fd);
    }
    // a file that does not begin with the header and the nodes: the worker starts when the walk meets them
    const text = readFileSync(raw, 'latin1');
    const swapped = join(dir, 'swapped.heapsnapshot');
    const nodesAt = text.indexOf('"nodes":[');
    writeFileSync(swapped, `{"x":1,${text.slice(1)}`, 'latin1');
    const other = openSync(swapped, 'r');
    try {
      expect(nodesAt).toBeGreaterThan(0);
      expect(readFrontHeader(other, statSync(swapped).size)).toBeNull();
    } finally {
      closeSync(other);
    }
  });

  test('every node parsed before the strings are known: the uses of one thread', async () => {
    // and a copy whose dictionary stores are named otherwise: 'array' nodes that are not stores, their owners fast
    const doc = JSON.parse(readFileSync(raw, 'utf8')) as {
      snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
      nodes: number[];
      strings: string[];
    };
    const nf = doc.snapshot.meta.node_fields.length;
    const nType = doc.snapshot.meta.node_fields.indexOf('type');
    const nName = doc.snapshot.meta.node_fields.indexOf('name');
    const array = doc.snapshot.meta.node_types[0].indexOf('array');
    const store = doc.strings.indexOf('(object properties)');
    let renamed = 0;
    for (let i = 0; i < doc.nodes.length; i += nf) {
      if (doc.nodes[i + nType] === array && doc.nodes[i + nName] === store) {
        doc.nodes[i + nName] = doc.strings.indexOf('(object elements)');
        renamed++;
      }
    }
    expect(renamed).toBeGreaterThan(0);
    const fast = join(dir, 'no-dictionaries.heapsnapshot');
    writeFileSync(fast, JSON.stringify(doc));
    const uses: Buffer[] = [];
    for (const file of [raw, fast]) {
      const { one } = await usesOf(file, {});
      uses.push(Buffer.from(one!));
      for (const chunkSize of [4096, 1 << 20]) {
        const early = await usesOfEarly(file, { chunkSize });
        expect(typeof early === 'object' && early.parsed, `${chunkSize}`).toBe(1);
        const two = typeof early === 'object' ? early.two : early;
        expect(two, `${file} ${chunkSize}`).toBeInstanceOf(Uint8Array);
        expect(Buffer.from(two as Uint8Array).equals(Buffer.from(one!)), `${file} ${chunkSize}`).toBe(true);
      }
    }
    // the renamed stores' owners' property names are code now
    expect(uses[0].equals(uses[1])).toBe(false);
  });

  test('a defect in the first, a middle or the last node met before the strings are known: given up, the error two passes give', async () => {
    const doc = JSON.parse(readFileSync(raw, 'utf8')) as {
      snapshot: { meta: { node_fields: string[] } };
      nodes: number[];
      strings: string[];
    };
    const nf = doc.snapshot.meta.node_fields.length;
    const name = doc.snapshot.meta.node_fields.indexOf('name');
    const nodeCount = doc.nodes.length / nf;
    const strings = doc.strings.length;
    const broken = {
      // past any table the strings section could hold: the worker stops at the node
      'first node': withNumber('nodes', name, () => 1e9),
      // the first index past the table: only known to be wrong once the strings are read
      'middle node': withNumber('nodes', Math.floor(nodeCount / 2) * nf + name, () => strings),
      'last node': withNumber('nodes', (nodeCount - 1) * nf + name, () => strings),
    };
    for (const [what, file] of Object.entries(broken)) {
      const early = await usesOfEarly(file, { chunkSize: 4096 });
      expect(typeof early === 'object' && early.two, what).toBeNull();
      const out = join(dir, 'broken.redacted.heapsnapshot');
      const failure = (opts: RedactOptions) =>
        redactFile(file, out, opts).then(
          () => 'no error',
          (e: Error) => e.message,
        );
      const message = await failure({ threads: true });
      expect(message, what).toMatch(/^node name is not a string index \(/);
      expect(await failure({ twoPass: true }), what).toBe(message);
      expect(readdirSync(dir).filter((f) => f.includes('broken.redacted'))).toEqual([]);
    }
  });

  test('a parse worker started early that fails: the main thread parses alone, the same bytes', async () => {
    const scripts = {
      'exits at once': 'process.exit(3);',
      'throws on load': 'throw new Error("boom");',
      'posts nonsense': 'import { parentPort } from "node:worker_threads"; parentPort.postMessage({});',
    };
    for (const [what, code] of Object.entries(scripts)) {
      const script = join(dir, `early-${what.replace(/\W+/g, '-')}.mjs`);
      writeFileSync(script, code);
      const workerScript = pathToFileURL(script);
      const early = await usesOfEarly(raw, { workerScript });
      expect(typeof early === 'object' && early.two, what).toBe('no worker');
      const copy = await redacted(raw, { threads: true, threadOptions: { workerScript } });
      expect(copy.equals(oneThread), what).toBe(true);
    }
  });
});

describe('the back walk over the edges meets the front walk anywhere', () => {
  test('split inside nodes with property names on both sides (dictionaries among them): the uses of one walk', () => {
    const doc = JSON.parse(readFileSync(raw, 'utf8')) as {
      snapshot: { meta: SnapshotMeta['raw']; node_count: number; edge_count: number };
      nodes: number[];
      edges: number[];
      strings: string[];
    };
    const header = parseHeader(JSON.stringify(doc.snapshot), 0);
    const { meta, nodeCount } = header;
    const strings = StringTable.fromStrings(doc.strings);
    const nf = meta.nodeFields.length;
    const ef = meta.edgeFields.length;
    const nodes = Uint32Array.from(doc.nodes);
    const edges = Uint32Array.from(doc.edges);
    const edgeCount = edges.length / ef;
    const property = meta.edgeTypes.indexOf('property');
    const eType = meta.edgeFields.indexOf('type');
    const eTo = meta.edgeFields.indexOf('to_node');
    const internal = meta.edgeTypes.indexOf('internal');
    const nodeName = meta.nodeFields.indexOf('name');
    const eName = meta.edgeFields.indexOf('name_or_index');
    // each edge's owner, and the nodes whose properties are in a dictionary
    const owner = new Uint32Array(edgeCount);
    const counts = meta.nodeFields.indexOf('edge_count');
    for (let n = 0, e = 0; n < nodeCount; n++) for (let k = nodes[n * nf + counts]; k > 0; k--) owner[e++] = n;
    const dictionaryOwners = new Set<number>();
    for (let e = 0; e < edgeCount; e++) {
      const to = edges[e * ef + eTo];
      if (
        edges[e * ef + eType] === internal &&
        doc.strings[edges[e * ef + eName]] === 'properties' &&
        doc.strings[nodes[to + nodeName]] === '(object properties)'
      )
        dictionaryOwners.add(owner[e]);
    }
    const whole = (): Uint8Array => {
      const uses = new RecordUses(header, strings);
      uses.nodes.records(nodes, 0, 0, nodeCount);
      uses.edges.records(edges, 0, 0, edgeCount);
      uses.edges.finish();
      return uses.uses;
    };
    const split = (f: number): Uint8Array => {
      const front = new RecordUses(header, strings);
      front.nodes.records(nodes, 0, 0, nodeCount);
      front.edges.records(edges, 0, 0, f);
      const back = new RecordUses(header, strings);
      back.nodes.records(nodes, 0, 0, nodeCount);
      const globals = new Set<number>();
      for (let e = 0; e < edgeCount && owner[e] === 0; e++) {
        if (edges[e * ef + eType] === meta.edgeTypes.indexOf('shortcut')) globals.add(edges[e * ef + eTo] / nf);
      }
      const sink = new BackEdgeUses(
        header,
        back.uses,
        namedStrings(strings),
        back.edgeCounts,
        back.dictionaryStore,
        globals,
      );
      // the back walk takes its records in runs, last run first
      for (let end = edgeCount; end > f; ) {
        const from = Math.max(f, end - 1000);
        sink.records(edges, from * ef, from, end - from);
        end = from;
      }
      sink.meet(front.edges.pending());
      return back.uses.map((u, i) => u | front.uses[i]);
    };
    const want = Buffer.from(whole());
    const splits: number[] = [0, edgeCount];
    for (let e = 1; e < edgeCount; e++) {
      const inside =
        owner[e - 1] === owner[e] && edges[(e - 1) * ef + eType] === property && edges[e * ef + eType] === property;
      // and just after a dictionary's 'properties' edge: the front walk then knows the mode, the back one not
      const afterStore =
        dictionaryOwners.has(owner[e - 1]) && doc.strings[edges[(e - 1) * ef + eName]] === 'properties';
      if ((inside && (dictionaryOwners.has(owner[e]) || e % 97 === 0)) || afterStore) splits.push(e);
    }
    expect(dictionaryOwners.size).toBeGreaterThan(0);
    expect(splits.filter((e) => dictionaryOwners.has(owner[e])).length).toBeGreaterThan(0);
    for (const f of splits.slice(0, 60)) expect(Buffer.from(split(f)).equals(want), `split at edge ${f}`).toBe(true);
  });
});

describe('the strings section written in runs', () => {
  const opened: StringsFile[] = [];
  afterAll(() => {
    for (const f of opened) f.close();
  });
  const stringsFile = (name: string, values: string[]): StringsFile => {
    const f = valuesFile(dir, name, values);
    opened.push(f);
    return f;
  };

  test('a write in the background that fails: the drain throws it, and it is never an unhandled rejection', async () => {
    const failing = {
      write: () => {},
      writeInBackground: () =>
        new Promise<void>((_, reject) => setImmediate(() => reject(new Error('no space left on device')))),
    };
    const out = new Output(failing as unknown as OutputWriter, 0, 4 << 20);
    const { strings, source } = stringsFile('failing.json', ['a'.repeat(3 << 20), 'b'.repeat(3 << 20)]);
    // the second string does not fit beside the first: the buffer goes to the background
    expect(out.redactedStrings(strings, source, Uint8Array.from([2, 2]), new Replacer('placeholder'), 0, 2)).toBe(1);
    await out.flushInBackground();
    // turns of the event loop while the write fails, before anything awaits it
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    await expect(out.drain()).rejects.toThrow('no space left on device');
  });

  test('kept strings as the file has them, the others as placeholders, across the buffer and longer than it', async () => {
    const values = [
      'kept',
      'secret',
      'é ü 漢字',
      '',
      'x'.repeat(17),
      'y'.repeat(5 << 20),
      'z'.repeat(5 << 20),
      // two that fit the buffer but not together: it is written in the background after the first
      'w'.repeat(3 << 20),
      'v'.repeat(3 << 20),
      'tail',
    ];
    const { strings, source } = stringsFile('strings-run.json', values);
    // CODE (2) keeps a string, DATA (1) redacts it
    const uses = Uint8Array.from([2, 1, 1, 1, 1, 2, 1, 2, 1, 2]);
    const file = join(dir, 'strings-run.bin');
    const fd = openSync(file, 'w', 0o600);
    let redactedCount = 0;
    let flushes = 0;
    try {
      const out = new Output(new OutputWriter(fd), 0, 4 << 20);
      const replacer = new Replacer('placeholder');
      // runs that end anywhere: the buffer fills in the middle of one
      for (let i = 0; i < values.length; ) {
        const to = Math.min(values.length, i + 3);
        const next = out.redactedStrings(strings, source, uses, replacer, i, to);
        if (next < to) {
          flushes++;
          await out.flushInBackground();
        }
        i = next;
      }
      await out.drain();
      redactedCount = out.redacted;
    } finally {
      closeSync(fd);
    }
    const want = values.map((v, i) => (uses[i] === 2 ? JSON.stringify(v) : `"${'x'.repeat(v.length)}"`)).join(',\n');
    expect(readFileSync(file, 'utf8') === want).toBe(true);
    expect(redactedCount).toBe(6);
    expect(flushes).toBeGreaterThan(0);
  });
  test('the strings section pushes the copy to the disk as it is written: a background sync every `every` bytes', async () => {
    // five 3 MiB strings, one per 4 MiB buffer: the copy is written up to ~3, 6, 9, 12 MiB after each full buffer
    const values = ['a', 'b', 'c', 'd', 'e'].map((c) => c.repeat(3 << 20));
    const { strings, source } = stringsFile('strings-synced.json', values);
    const file = join(dir, 'strings-synced.bin');
    const fd = openSync(file, 'w', 0o600);
    const syncs = new BackgroundSyncs(fd, 4 << 20);
    try {
      const out = new Output(new OutputWriter(fd), 0, 4 << 20);
      await writeStringsSection(
        out,
        strings,
        source,
        Uint8Array.from([1, 1, 1, 1, 1]),
        new Replacer('placeholder'),
        syncs,
      );
      await syncs.settle();
    } finally {
      closeSync(fd);
    }
    // at 6 MiB (the next one due at 10) and at 12 MiB
    expect(syncs.started).toBe(2);
    expect(readFileSync(file, 'utf8') === values.map((v) => `"${'x'.repeat(v.length)}"`).join(',\n')).toBe(true);
  });
});

describe('placeholder lengths counted from the bytes', () => {
  const cases = [
    '',
    'plain',
    'é ü 漢字',
    '😀 and 𝄞',
    'tab\tquote" back\\ nul\u0000 line\u2028',
    '\ud800 lone',
    'x'.repeat(300),
  ];
  test('equal to the decoded length, escaped or not', () => {
    for (const str of cases) {
      const body = Buffer.from(JSON.stringify(str).slice(1, -1), 'utf8');
      expect(utf16Length(body, 0, body.length, true), str).toBe(str.length);
      // as the table holds it: among other strings' bytes (an escape cut at its end is not read past it)
      const ascii = JSON.stringify(str).replace(
        /[\u0080-\uffff]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
      );
      const among = Buffer.from(`\\u00${ascii.slice(1, -1)}\\u0041`, 'latin1');
      expect(asciiEscapedLength(among, 4, among.length - 6), str).toBe(str.length);
      const plain = Buffer.from(str, 'utf8');
      if (plain.toString('utf8') === str && !/["\\\u0000-\u001f]/.test(str)) {
        expect(utf16Length(plain, 0, plain.length, false), str).toBe(str.length);
      }
    }
  });

  test('-1 (decode instead) for anything not well formed', () => {
    const bad = [
      [0xc0, 0x80], // overlong
      [0xe0, 0x80, 0x80], // overlong
      [0xed, 0xa0, 0x80], // a surrogate in UTF-8
      [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
      [0xe2, 0x82], // cut short
      [0x80], // a lone continuation byte
      [0x5c, 0x75, 0x31, 0x32, 0x33], // \u123 cut short
      [0x5c, 0x78], // \x
      [0x22], // a bare quote
      [0x0a], // a raw newline
    ];
    for (const bytes of bad) expect(utf16Length(Uint8Array.from(bytes), 0, bytes.length, true), `${bytes}`).toBe(-1);
    // a backslash in a string the reader did not mark as escaped
    expect(utf16Length(Buffer.from('a\\nb'), 0, 4, false)).toBe(-1);
  });
});

describe("the two threads' uses joined", () => {
  test('every byte OR-ed, aligned (by words, then the last bytes) or not', () => {
    for (let n = 0; n <= 11; n++) {
      for (const offset of [0, 1, 4]) {
        const a = new Uint8Array(n + offset).subarray(offset);
        const b = new Uint8Array(n + 8).subarray(offset ? 8 - offset : 0, (offset ? 8 - offset : 0) + n);
        for (let i = 0; i < n; i++) {
          a[i] = 1 << (i % 3);
          b[i] = 1 << ((i + 1) % 3);
        }
        orInto(a, b);
        expect([...a], `${n} at ${offset}`).toEqual(
          Array.from({ length: n }, (_, i) => (1 << (i % 3)) | (1 << ((i + 1) % 3))),
        );
      }
    }
  });
});
