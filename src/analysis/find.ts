import type { HeapAnalysis } from './types.js';

/** One object found, and (for a search by name) the reference that named it. */
export interface FoundObject {
  node: number;
  /** The object holding the named reference; -1 for a search by class. */
  holder: number;
  /** The named edge (property or variable) from `holder` to `node`; -1 for a search by class. */
  edge: number;
}

export interface FindResult {
  /** How many objects (by class) or references (by name) matched in the whole heap. */
  matched: number;
  /** The `limit` biggest by retained size, biggest first (ties: lower ordinal first). */
  objects: FoundObject[];
}

/**
 * The `limit` biggest matches, kept sorted in three small typed arrays: an insertion costs O(limit) and only
 * happens for a match bigger than the current smallest, so a scan over millions of nodes stays one pass.
 */
class TopByRetained {
  private readonly nodes: Int32Array;
  private readonly holders: Int32Array;
  private readonly edges: Int32Array;
  private size = 0;

  constructor(
    private readonly retained: Float64Array,
    private readonly limit: number,
  ) {
    this.nodes = new Int32Array(limit);
    this.holders = new Int32Array(limit);
    this.edges = new Int32Array(limit);
  }

  offer(node: number, holder: number, edge: number): void {
    const r = this.retained;
    const { nodes, limit } = this;
    if (this.size === limit && !(r[node] > r[nodes[limit - 1]])) return;
    for (let k = 0; k < this.size; k++) if (nodes[k] === node) return; // one row per object, however many names
    let at = Math.min(this.size, limit - 1);
    while (at > 0 && r[node] > r[nodes[at - 1]]) {
      nodes[at] = nodes[at - 1];
      this.holders[at] = this.holders[at - 1];
      this.edges[at] = this.edges[at - 1];
      at--;
    }
    nodes[at] = node;
    this.holders[at] = holder;
    this.edges[at] = edge;
    if (this.size < limit) this.size++;
  }

  list(): FoundObject[] {
    const out: FoundObject[] = [];
    for (let k = 0; k < this.size; k++) out.push({ node: this.nodes[k], holder: this.holders[k], edge: this.edges[k] });
    return out;
  }
}

/**
 * Objects of the given classes (indices into classNames), as the class histogram counts them (shown self size
 * above 0), the biggest `limit` by retained size.
 */
export function findByClass(a: HeapAnalysis, classes: readonly number[], limit: number): FindResult {
  const wanted = new Uint8Array(a.classNames.length);
  for (const c of classes) wanted[c] = 1;
  const top = new TopByRetained(a.retainedSizes, limit);
  const { classOf, selfSizes } = a;
  let matched = 0;
  for (let o = 0, n = a.snapshot.nodeCount; o < n; o++) {
    if (wanted[classOf[o]] === 0 || selfSizes[o] === 0) continue;
    matched++;
    top.offer(o, -1, -1);
  }
  return { matched, objects: top.list() };
}

/**
 * Objects reached by a property or a variable (closure context slot) of this name, the biggest `limit` by
 * retained size, each with the holder of the reference. Weak references are not properties, so never match.
 */
export function findByName(a: HeapAnalysis, name: string, limit: number): FindResult {
  const s = a.snapshot;
  const wanted: number[] = []; // string indices of `name` (V8's table holds each string once; a hand-made one may not)
  for (let i = s.strings.indexOf(name); i >= 0; i = s.strings.indexOf(name, i + 1)) wanted.push(i);
  const top = new TopByRetained(a.retainedSizes, limit);
  if (wanted.length === 0) return { matched: 0, objects: [] };
  const named = new Uint8Array(s.meta.edgeTypes.length);
  for (const t of ['property', 'context']) if (s.edgeType[t] >= 0) named[s.edgeType[t]] = 1;
  const { firstEdge, edgeTypes, edgeNames, edgeTargets } = s;
  const one = wanted.length === 1 ? wanted[0] : -1;
  let matched = 0;
  for (let o = 0, n = s.nodeCount; o < n; o++) {
    for (let e = firstEdge[o], end = firstEdge[o + 1]; e < end; e++) {
      if (named[edgeTypes[e]] === 0) continue;
      const nameIndex = edgeNames[e];
      if (one >= 0 ? nameIndex !== one : !wanted.includes(nameIndex)) continue;
      matched++;
      top.offer(edgeTargets[e], o, e);
    }
  }
  return { matched, objects: top.list() };
}
