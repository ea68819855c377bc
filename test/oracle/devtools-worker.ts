// Chrome DevTools' heap snapshot worker, run under Node on one .heapsnapshot: the conformance oracle.
// build.mjs bundles this file with the worker's sources from the chrome-devtools-frontend npm package.
//   node oracle.mjs <file>                  one JSON document on stdout: the objects DevTools describes
//   node oracle.mjs --classes <file> <out>  DevTools' Summary view (one row per class) written to <out>
// Objects: ORACLE_TOP (alias CDT_TOP_N, default 20) of the root's children in DevTools' dominator tree, biggest
// first; ORACLE_SAMPLE (alias CDT_SAMPLE) seeded pseudo-random objects plus the 100 that retain most; ORACLE_IDS
// (alias CDT_IDS, comma-separated) described by id; ORACLE_LOCATIONS=1 the location map's entry of every closure;
// ORACLE_CLASSES=1 also the Summary view's rows (`classes`), so one load answers both. The DevTools worker needs a
// second worker for its dominator work: this same file, started as a worker thread.
import { createReadStream, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMainThread, MessageChannel, Worker, workerData } from 'node:worker_threads';
import { SecondaryInitManager } from '__devtools__/entrypoints/heap_snapshot_worker/HeapSnapshot.js';
import { HeapSnapshotLoader } from '__devtools__/entrypoints/heap_snapshot_worker/HeapSnapshotLoader.js';
import { NodeFilter } from '__devtools__/models/heap_snapshot/HeapSnapshotModel.js';

interface DevtoolsNode {
  nodeIndex: number;
  id(): number;
  name(): string;
  type(): string;
  className(): string;
  selfSize(): number;
}
interface DevtoolsSnapshot {
  nodeCount: number;
  nodeFieldCount: number;
  rootNodeIndex: number;
  retainedSizes: Float64Array;
  dominatorsTree: Uint32Array;
  createNode(nodeIndex?: number): DevtoolsNode;
  aggregatesWithFilter(filter: unknown): Record<string, { name: string; count: number; self: number; maxRet: number }>;
  /** The worker's location map: the snapshot's `locations` section by node index (0-based line and column). */
  getLocation(nodeIndex: number): { scriptId: number; lineNumber: number; columnNumber: number } | null;
}

function setting(name: string, legacy: string, fallback: string): string {
  return process.env[name] ?? process.env[legacy] ?? fallback;
}

/** Streams the file into DevTools' loader and lets it build its snapshot (dominators, retained sizes, classes). */
async function load(file: string): Promise<{ snapshot: DevtoolsSnapshot; seconds: number }> {
  const started = performance.now();
  const channel = new MessageChannel();
  const helper = new Worker(fileURLToPath(import.meta.url), {
    workerData: channel.port2,
    transferList: [channel.port2],
  });
  const loader = new HeapSnapshotLoader({ sendEvent() {} } as never);
  for await (const text of createReadStream(file, { encoding: 'utf8', highWaterMark: 4 << 20 })) {
    loader.write(text as string);
  }
  loader.close();
  const snapshot = (await loader.buildSnapshot(channel.port1 as never)) as unknown as DevtoolsSnapshot;
  await helper.terminate();
  return { snapshot, seconds: (performance.now() - started) / 1000 };
}

/** A small deterministic generator (mulberry32), so every run samples the same ordinals. */
function seededOrdinals(count: number, limit: number): number[] {
  let state = 0x9e3779b9;
  const out: number[] = [];
  for (let k = 0; k < count; k++) {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out.push(((t ^ (t >>> 14)) >>> 0) % limit);
  }
  return out;
}

function objects(file: string, snapshot: DevtoolsSnapshot, seconds: number) {
  const { nodeCount, nodeFieldCount, retainedSizes, dominatorsTree } = snapshot;
  const root = snapshot.rootNodeIndex / nodeFieldCount;
  const cursor = snapshot.createNode(0);
  const idOf = (o: number) => {
    cursor.nodeIndex = o * nodeFieldCount;
    return cursor.id();
  };
  const describe = (o: number) => {
    cursor.nodeIndex = o * nodeFieldCount;
    const row = {
      id: cursor.id(),
      name: String(cursor.name()).slice(0, 60),
      type: cursor.type(),
      className: cursor.className(),
      selfSize: cursor.selfSize(),
      retainedSize: retainedSizes[o],
      dominatorId: 0,
    };
    row.dominatorId = idOf(dominatorsTree[o]);
    return row;
  };
  const topN = Number(setting('ORACLE_TOP', 'CDT_TOP_N', '20'));
  const children: number[] = [];
  for (let o = 0; o < nodeCount; o++) if (o !== root && dominatorsTree[o] === root) children.push(o);
  children.sort((a, b) => retainedSizes[b] - retainedSizes[a]);

  const sampleN = Number(setting('ORACLE_SAMPLE', 'CDT_SAMPLE', '0'));
  const sample = sampleN > 0 ? seededOrdinals(sampleN, nodeCount) : [];
  if (sampleN > 0) {
    const byRetained = Array.from({ length: nodeCount }, (_, o) => o).sort(
      (a, b) => retainedSizes[b] - retainedSizes[a],
    );
    sample.push(...byRetained.slice(0, 100));
  }

  // ORACLE_LOCATIONS=1: [id, scriptId, line, column] of every closure the location map has
  const locations: [number, number, number, number][] = [];
  if (setting('ORACLE_LOCATIONS', 'CDT_LOCATIONS', '0') === '1') {
    for (let o = 0; o < nodeCount; o++) {
      cursor.nodeIndex = o * nodeFieldCount;
      if (cursor.type() !== 'closure') continue;
      const l = snapshot.getLocation(o * nodeFieldCount);
      if (l) locations.push([cursor.id(), l.scriptId, l.lineNumber, l.columnNumber]);
    }
  }

  const wanted = new Set(setting('ORACLE_IDS', 'CDT_IDS', '').split(',').filter(Boolean).map(Number));
  const ids: Record<number, ReturnType<typeof describe>> = {};
  let sumSelf = 0;
  for (let o = 0; o < nodeCount; o++) {
    if (wanted.size > 0 && wanted.has(idOf(o))) ids[idOf(o)] = describe(o);
    cursor.nodeIndex = o * nodeFieldCount;
    sumSelf += cursor.selfSize();
  }
  return {
    tool: 'chrome-devtools-frontend heap_snapshot_worker',
    file,
    nodeCount,
    totalSize: retainedSizes[root],
    sumSelf,
    seconds: Number(seconds.toFixed(2)),
    rssMB: Math.round(process.memoryUsage().rss / 1e6),
    topLevelDominators: children.slice(0, topN).map(describe),
    ids,
    sample: sample.map(describe),
    locations,
  };
}

function classes(snapshot: DevtoolsSnapshot) {
  return Object.values(snapshot.aggregatesWithFilter(new NodeFilter())).map((c) => ({
    className: c.name,
    count: c.count,
    shallowSize: c.self,
    retainedSize: c.maxRet,
  }));
}

async function main(args: string[]): Promise<void> {
  const wantClasses = args[0] === '--classes';
  const [file, out] = wantClasses ? args.slice(1) : args;
  if (!file || (wantClasses && !out)) throw new Error('usage: oracle.mjs <file> | oracle.mjs --classes <file> <out>');
  const { snapshot, seconds } = await load(file);
  if (wantClasses) {
    writeFileSync(out, JSON.stringify(classes(snapshot)));
    process.exit(0);
  }
  const doc = objects(file, snapshot, seconds);
  const withClasses = process.env.ORACLE_CLASSES === '1' ? { ...doc, classes: classes(snapshot) } : doc;
  // exit once the document is flushed: the message port to the helper thread would keep the process alive
  process.stdout.write(`${JSON.stringify(withClasses)}\n`, () => process.exit(0));
}

if (isMainThread) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(`oracle failed: ${e?.stack ?? e}`);
    process.exit(1);
  });
} else {
  new SecondaryInitManager(workerData as never);
}
