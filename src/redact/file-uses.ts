import { SnapshotFormatError } from '../snapshot/format-error.js';
import { offsetOfNumber } from '../snapshot/number-array.js';
import type { SnapshotLayout } from './layout.js';
import { NumberStream, RecordBatches } from './number-stream.js';
import { BadRecord, RecordUses } from './record-uses.js';
import { CODE } from './uses.js';

/** Records read at once from each array. */
const BATCH_RECORDS = 65536;

/**
 * The uses of every string of a snapshot file (see uses.ts), read in two streaming passes once the layout pass
 * has found the sections and read the strings: the nodes, then the edges (record-uses.ts). The way for files whose
 * strings one-pass.ts cannot find first. Memory: the string table's size in bytes, a byte and a bit per node,
 * and the read buffers.
 */
export function fileStringUses(fd: number, layout: SnapshotLayout): Uint8Array {
  const { header } = layout;
  const { meta, nodeCount, edgeCount } = header;
  const nf = meta.nodeFields.length;
  const ef = meta.edgeFields.length;
  const uses = new RecordUses(header, layout.strings.named);
  const at = (start: number, index: number) => offsetOfNumber(fd, start, index);

  // pass 1: node names, edge counts, and the dictionary property stores
  const batch = new Uint32Array(nf * BATCH_RECORDS);
  const nodes = new NumberStream(fd, layout.nodesStart, 'nodes');
  for (let got = nodes.fill(batch); got > 0; got = nodes.fill(batch)) {
    if (got % nf !== 0 || uses.nodes.seen + got / nf > nodeCount) {
      throw new SnapshotFormatError(
        'nodes: more numbers than the snapshot meta announces',
        at(layout.nodesStart, nodeCount * nf),
      );
    }
    try {
      uses.nodes.records(batch, 0, uses.nodes.seen, got / nf);
    } catch (e) {
      if (e instanceof BadRecord) throw new SnapshotFormatError(e.what, at(layout.nodesStart, e.index));
      throw e;
    }
  }
  const o = uses.nodes.seen;
  if (o !== nodeCount) {
    throw new SnapshotFormatError(
      `nodes: ${o * nf} numbers where the snapshot meta announces ${nodeCount * nf}`,
      at(layout.nodesStart, o * nf),
    );
  }

  // pass 2: each node's edges, from the counts recorded by pass 1
  const edges = new NumberStream(fd, layout.edgesStart, 'edges');
  const edgeBatch = new Uint32Array(ef * BATCH_RECORDS);
  const countProblem = () =>
    new SnapshotFormatError(
      `edges: the nodes' edge counts and the snapshot meta (${edgeCount * ef} numbers) do not agree`,
      at(layout.edgesStart, Math.min(uses.edges.seen * ef, edgeCount * ef)),
    );
  try {
    for (let got = edges.fill(edgeBatch); got > 0; got = edges.fill(edgeBatch)) {
      if (got % ef !== 0) throw countProblem();
      uses.edges.records(edgeBatch, 0, uses.edges.seen, got / ef);
    }
    uses.edges.finish();
  } catch (e) {
    if (!(e instanceof BadRecord)) throw e;
    if (e.kind === 'count') throw countProblem();
    throw new SnapshotFormatError(e.what, at(layout.edgesStart, e.index));
  }
  if (uses.edges.seen !== edgeCount) throw countProblem();

  if (layout.traceInfosStart >= 0) markTraceFunctionNames(fd, layout, uses.uses);
  return uses.uses;
}

/** Function and script names of allocation traces (trace_function_infos): code. */
export function markTraceFunctionNames(fd: number, layout: SnapshotLayout, uses: Uint8Array): void {
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
