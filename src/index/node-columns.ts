import type { HeapSnapshot } from '../snapshot/snapshot.js';
import type { PiecewiseSection } from './index-file.js';

/**
 * The node records as the index stores them: without the `type` column (nodeTypes holds it, a byte a node) and,
 * when at most MAX_SPARSE nodes have one, without `detachedness` (those few are listed in the header instead).
 */
export interface StoredNodes {
  /** The columns kept, in the snapshot's order. */
  fields: string[];
  /** [ordinals, values] of the nodes whose detachedness is not 0, when the column is left out; else null. */
  detached: [number[], number[]] | null;
}

const MAX_SPARSE = 4096;

/** Records made per piece while the index is written. */
const PIECE_NODES = 1 << 16;

export function storedNodes(s: HeapSnapshot): { layout: StoredNodes; records: PiecewiseSection } {
  const all = s.meta.nodeFields;
  const nf = s.nodeFieldCount;
  const det = s.nodeDetachednessOffset;
  let detached: [number[], number[]] | null = null;
  if (det >= 0) {
    detached = [[], []];
    for (let o = 0, n = s.nodeCount; o < n && detached; o++) {
      const v = s.nodes[o * nf + det];
      if (v === 0) continue;
      if (detached[0].length === MAX_SPARSE) {
        detached = null;
      } else {
        detached[0].push(o);
        detached[1].push(v);
      }
    }
  }
  const keep = all.flatMap((f, i) => (f === 'type' || (f === 'detachedness' && detached) ? [] : [i]));
  const n = s.nodeCount;
  function* pieces(): Iterable<Uint32Array> {
    const piece = new Uint32Array(PIECE_NODES * keep.length);
    for (let from = 0; from < n; from += PIECE_NODES) {
      const to = Math.min(n, from + PIECE_NODES);
      let k = 0;
      for (let o = from; o < to; o++) for (const i of keep) piece[k++] = s.nodes[o * nf + i];
      yield piece.subarray(0, k);
    }
  }
  return {
    layout: { fields: keep.map((i) => all[i]), detached: det >= 0 ? detached : null },
    records: { kind: 'u32', length: n * keep.length, pieces },
  };
}

/** Where each of the snapshot's node fields comes from: a stored column (its index), or TYPE / DETACHED. */
export const TYPE = -1;
export const DETACHED = -2;

export function fieldSources(allFields: string[], layout: StoredNodes): number[] {
  return allFields.map((f) => {
    const k = layout.fields.indexOf(f);
    if (k >= 0) return k;
    return f === 'type' ? TYPE : DETACHED;
  });
}

/** The full node records again, from the stored columns (given in pieces, in order), the types and the listed few. */
export class NodeRecordsBuilder {
  readonly nodes: Uint32Array;
  private readonly sources: number[];
  private readonly width: number;
  /** For each stored column, its place in a full record. */
  private readonly place: number[];

  constructor(
    allFields: string[],
    private readonly layout: StoredNodes,
    private readonly nodeTypes: Uint8Array,
  ) {
    this.sources = fieldSources(allFields, layout);
    this.width = layout.fields.length;
    this.place = layout.fields.map((f) => allFields.indexOf(f));
    this.nodes = new Uint32Array(nodeTypes.length * allFields.length);
  }

  /** A piece of the stored records starting at element `first` (it may start or end inside a record). */
  add(piece: Uint32Array, first: number): void {
    const { nodes, place, width } = this;
    const nf = this.sources.length;
    let c = first % width;
    let base = ((first - c) / width) * nf;
    for (let k = 0; k < piece.length; k++) {
      nodes[base + place[c]] = piece[k];
      if (++c === width) {
        c = 0;
        base += nf;
      }
    }
  }

  finish(): Uint32Array {
    const { nodes, sources, nodeTypes } = this;
    const nf = sources.length;
    const t = sources.indexOf(TYPE);
    if (t >= 0) for (let o = 0; o < nodeTypes.length; o++) nodes[o * nf + t] = nodeTypes[o];
    const d = sources.indexOf(DETACHED);
    if (d >= 0 && this.layout.detached) {
      const [ordinals, values] = this.layout.detached;
      ordinals.forEach((o, k) => {
        nodes[o * nf + d] = values[k];
      });
    }
    return nodes;
  }
}
