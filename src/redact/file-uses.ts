import { SnapshotFormatError } from '../snapshot/format-error.js';
import { offsetOfNumber } from '../snapshot/number-array.js';
import { EdgeCounts } from './edge-counts.js';
import type { SnapshotLayout } from './layout.js';
import { NumberStream, RecordBatches } from './number-stream.js';
import { CODE, edgeNameUses, nodeNameUses, UseCollector } from './uses.js';

/** Records read at once from each array. */
const BATCH_RECORDS = 65536;

/**
 * The uses of every string of a snapshot file (see uses.ts), read in two streaming passes: the nodes (their
 * names, their edge counts, and which nodes are dictionary property stores: one bit per node), then the edges,
 * node by node from the recorded counts. Memory: the string table's size in bytes, a byte and a bit per node,
 * and the read buffers.
 */
export function fileStringUses(fd: number, layout: SnapshotLayout): Uint8Array {
  const { header, strings } = layout;
  const { meta, nodeCount, edgeCount } = header;
  const nf = meta.nodeFields.length;
  const ef = meta.edgeFields.length;
  const nType = meta.nodeFields.indexOf('type');
  const nName = meta.nodeFields.indexOf('name');
  const nEdges = meta.nodeFields.indexOf('edge_count');
  const eType = meta.edgeFields.indexOf('type');
  const eName = meta.edgeFields.indexOf('name_or_index');
  const eTo = meta.edgeFields.indexOf('to_node');
  const stringCount = strings.length;
  const propertiesNames = indexesOf(strings, 'properties');
  const storeNames = indexesOf(strings, '(object properties)');
  const arrayType = meta.nodeTypes.indexOf('array');
  const internalType = meta.edgeTypes.indexOf('internal');
  const shortcutType = meta.edgeTypes.indexOf('shortcut');
  const nodeRule = nodeNameUses(meta.nodeTypes);
  const edgeRule = edgeNameUses(meta.edgeTypes);
  const collector = new UseCollector(stringCount, nodeRule, edgeRule, (name) => propertiesNames.has(name));

  // pass 1: node names, and the dictionary property stores
  const dictionaryStore = new Uint8Array((nodeCount + 7) >>> 3);
  const edgeCounts = new EdgeCounts(nodeCount);
  const batch = new Uint32Array(nf * BATCH_RECORDS);
  const nodes = new NumberStream(fd, layout.nodesStart, 'nodes');
  let o = 0;
  for (let got = nodes.fill(batch); got > 0; got = nodes.fill(batch)) {
    if (got % nf !== 0 || o + got / nf > nodeCount)
      throw nodeProblem(fd, layout, nodeCount, nf, nName, nodeCount, false);
    for (let at = 0; at < got; at += nf, o++) {
      const type = batch[at + nType];
      const name = batch[at + nName];
      if (name >= stringCount) throw nodeProblem(fd, layout, o, nf, nName, nodeCount, true);
      collector.node(type, name);
      edgeCounts.push(batch[at + nEdges]);
      if (type === arrayType && storeNames.has(name)) dictionaryStore[o >>> 3] |= 1 << (o & 7);
    }
  }
  if (o !== nodeCount) throw nodeProblem(fd, layout, o, nf, nName, nodeCount, false);

  // pass 2: each node's edges, from the counts recorded by pass 1 (the nodes were checked there)
  const edges = new NumberStream(fd, layout.edgesStart, 'edges');
  const edgeBatch = new Uint32Array(ef * BATCH_RECORDS);
  let edgeNumbers = 0;
  let next = 0;
  const globals = new Set<number>();
  const namedByString = Uint8Array.from(edgeRule, (r) => (r === 0 ? 0 : 1));
  const targetLimit = nodeCount * nf;
  let e = 0;
  for (let n = 0; n < nodeCount; n++) {
    const count = edgeCounts.next(n);
    collector.begin();
    for (let k = 0; k < count; k++, e++) {
      if (next === edgeNumbers) {
        edgeNumbers = edges.fill(edgeBatch);
        next = 0;
        if (edgeNumbers === 0 || edgeNumbers % ef !== 0) throw edgeCountProblem(fd, layout, e * ef, edgeCount * ef);
      }
      const type = edgeBatch[next + eType];
      const name = edgeBatch[next + eName];
      const to = edgeBatch[next + eTo];
      next += ef;
      // a division and a multiplication instead of a modulo and a division: this loop runs once per edge
      const target = Math.floor(to / nf);
      if (to >= targetLimit || target * nf !== to) {
        throw new SnapshotFormatError(
          'edge to_node is not a node',
          offsetOfNumber(fd, layout.edgesStart, e * ef + eTo),
        );
      }
      if (namedByString[type] === 1 && name >= stringCount) {
        throw new SnapshotFormatError(
          'edge name is not a string index',
          offsetOfNumber(fd, layout.edgesStart, e * ef + eName),
        );
      }
      if (n === 0 && type === shortcutType) globals.add(target);
      const internal = type === internalType;
      collector.edge(type, name, internal, internal && (dictionaryStore[target >>> 3] & (1 << (target & 7))) !== 0);
    }
    // whether the node is a global object matters only when its properties are in a dictionary
    collector.end(collector.dictionaryFound && globals.has(n));
  }
  if (next !== edgeNumbers || edges.fill(edgeBatch) > 0 || e !== edgeCount) {
    throw edgeCountProblem(fd, layout, e * ef, edgeCount * ef);
  }

  if (layout.traceInfosStart >= 0) markTraceFunctionNames(fd, layout, collector.uses);
  return collector.uses;
}

/** Function and script names of allocation traces (trace_function_infos): code. */
function markTraceFunctionNames(fd: number, layout: SnapshotLayout, uses: Uint8Array): void {
  const fields = layout.header.meta.raw.trace_function_info_fields;
  if (!Array.isArray(fields) || fields.length === 0) return;
  const named = ['name', 'script_name'].map((f) => fields.indexOf(f)).filter((i) => i >= 0);
  const infos = new RecordBatches(new NumberStream(fd, layout.traceInfosStart, 'trace_function_infos'), fields.length);
  for (let at = infos.advance(); at >= 0; at = infos.advance()) {
    for (const f of named) {
      const name = infos.batch[at + f];
      if (name < uses.length) uses[name] |= CODE;
    }
  }
}

function indexesOf(strings: SnapshotLayout['strings'], str: string): Set<number> {
  const out = new Set<number>();
  for (let i = strings.indexOf(str); i >= 0; i = strings.indexOf(str, i + 1)) out.add(i);
  return out;
}

/** What is wrong with the nodes array at record o: too many records, a bad name, or too few (at its `]`). */
function nodeProblem(
  fd: number,
  layout: SnapshotLayout,
  o: number,
  nf: number,
  nName: number,
  nodeCount: number,
  badName: boolean,
): SnapshotFormatError {
  const start = layout.nodesStart;
  if (o >= nodeCount) {
    return new SnapshotFormatError(
      'nodes: more numbers than the snapshot meta announces',
      offsetOfNumber(fd, start, nodeCount * nf),
    );
  }
  if (badName)
    return new SnapshotFormatError('node name is not a string index', offsetOfNumber(fd, start, o * nf + nName));
  return new SnapshotFormatError(
    `nodes: ${o * nf} numbers where the snapshot meta announces ${nodeCount * nf}`,
    offsetOfNumber(fd, start, o * nf),
  );
}

function edgeCountProblem(fd: number, layout: SnapshotLayout, seen: number, announced: number): SnapshotFormatError {
  return new SnapshotFormatError(
    `edges: the nodes' edge counts and the snapshot meta (${announced} numbers) do not agree`,
    offsetOfNumber(fd, layout.edgesStart, Math.min(seen, announced)),
  );
}
