import type { BigSelfSizes } from './number-array.js';
import type { StringTable } from './string-table.js';

/**
 * A parsed V8 heap snapshot as flat typed arrays, in the layout of the file (struct of records), with field
 * offsets computed once from `snapshot.meta`. No per-node or per-edge objects: a node is its ordinal
 * (0 … nodeCount-1), an edge is its ordinal (0 … edgeCount-1).
 *
 * Differences from the file's own arrays, done by the reader:
 *  - the edge `to_node` field holds the target node's *ordinal*, not its index into `nodes`;
 *  - `firstEdge[o] … firstEdge[o+1]-1` are node o's outgoing edges (prefix sums of `edge_count`);
 *  - node records keep every field but `edge_count` (firstEdge has it) and `trace_node_id` (see meta.fileNodeFields),
 *    and `nodeTypes` repeats each node's type as a byte;
 *  - edges are three arrays, one per field: `edgeTypes` (a byte each), `edgeNames`, `edgeTargets` (9 bytes an edge,
 *    and a pass that follows edges reads only the targets).
 */
export interface SnapshotMeta {
  /** The fields of the stored node records (the reader leaves out edge_count and trace_node_id). */
  nodeFields: string[];
  /** The file's node_fields, when the stored records leave some out. */
  fileNodeFields?: string[];
  /** Enum values of the node `type` field, e.g. ['hidden','array','string','object',…]. */
  nodeTypes: string[];
  /** The file's edge_fields (the snapshot keeps type, name_or_index and to_node, an array each). */
  edgeFields: string[];
  /** Enum values of the edge `type` field, e.g. ['context','element','property','internal','hidden','shortcut','weak']. */
  edgeTypes: string[];
  /** The whole `snapshot.meta` object as read, for sections this type does not model. */
  raw: Record<string, unknown>;
}

export class HeapSnapshot {
  readonly nodeFieldCount: number;
  readonly nodeCount: number;
  readonly edgeCount: number;

  // node field offsets within a stored record (-1 when absent: not in this V8 version, or left out by the reader)
  readonly nodeTypeOffset: number;
  readonly nodeNameOffset: number;
  readonly nodeIdOffset: number;
  readonly nodeSelfSizeOffset: number;
  readonly nodeEdgeCountOffset: number;
  readonly nodeTraceNodeIdOffset: number;
  readonly nodeDetachednessOffset: number;

  // enum values of node and edge types (-1 when this V8 version does not have the type)
  readonly nodeType: Readonly<Record<string, number>>;
  readonly edgeType: Readonly<Record<string, number>>;

  constructor(
    readonly meta: SnapshotMeta,
    /** Flat node records: nodeCount × nodeFieldCount. */
    readonly nodes: Uint32Array,
    /**
     * Each node's type again, a byte each: a pass that asks only the type reads 8 MB for 8 M nodes instead of
     * the 160 MB of records (on a memory-bound machine each pass over the records costs as much as one over edges).
     */
    readonly nodeTypes: Uint8Array,
    /** Each edge's type (an index into meta.edgeTypes). */
    readonly edgeTypes: Uint8Array,
    /** Each edge's name_or_index: a string index for named edges, a number for `element` and `hidden` edges. */
    readonly edgeNames: Uint32Array,
    /** Each edge's target, as a node ordinal. */
    readonly edgeTargets: Uint32Array,
    /** nodeCount + 1 entries: node o's edges are firstEdge[o] … firstEdge[o+1]-1 (edge ordinals). */
    readonly firstEdge: Uint32Array,
    /** The `strings` section, decoded on demand. */
    readonly strings: StringTable,
    /** The `locations` section (object ordinal, script id, line, column per record) when present, else empty. */
    readonly locations: Uint32Array = new Uint32Array(0),
    /** Memory the reader freed by dropping node fields, handed out by nodeSizedScratch. */
    private freed: Uint32Array | null = null,
    /**
     * The nodes with a DOM state (detachedness other than 0), in order, as the reader saw them: a Node
     * snapshot has a handful, and the DOM state pass starts from them instead of walking all records.
     * Null when not known (or too many to list).
     */
    readonly domStateNodes: readonly number[] | null = null,
    /** Self sizes over 2^32-1 (their records hold 0xffffffff), when the snapshot has any: see nodeSelfSize. */
    readonly bigSelfSizes: BigSelfSizes | null = null,
  ) {
    this.nodeFieldCount = meta.nodeFields.length;
    this.nodeCount = nodes.length / this.nodeFieldCount;
    this.edgeCount = edgeTypes.length;
    const nf = (name: string) => meta.nodeFields.indexOf(name);
    this.nodeTypeOffset = nf('type');
    this.nodeNameOffset = nf('name');
    this.nodeIdOffset = nf('id');
    this.nodeSelfSizeOffset = nf('self_size');
    this.nodeEdgeCountOffset = nf('edge_count');
    this.nodeTraceNodeIdOffset = nf('trace_node_id');
    this.nodeDetachednessOffset = nf('detachedness');
    this.nodeType = enumIndex(meta.nodeTypes, KNOWN_NODE_TYPES);
    this.edgeType = enumIndex(meta.edgeTypes, KNOWN_EDGE_TYPES);
  }

  /**
   * A zeroed Uint32Array of nodeCount entries carved from the memory the reader freed when it dropped node
   * fields (up to two per snapshot; null when none is left): for node-sized arrays the analysis keeps.
   */
  nodeSizedScratch(): Uint32Array | null {
    const rest = this.freed;
    const n = this.nodeCount;
    if (!rest || rest.length < n) return null;
    this.freed = rest.length - n >= n ? rest.subarray(n) : null;
    return rest.subarray(0, n).fill(0);
  }

  /**
   * The memory the next nodeSizedScratch() call will hand out, lent for working space until then (its contents
   * are lost at that call); null when none is left.
   */
  lendNodeSizedScratch(): Uint32Array | null {
    const rest = this.freed;
    return rest && rest.length >= this.nodeCount ? rest.subarray(0, this.nodeCount) : null;
  }

  /** The synthetic root is always the first node. */
  get rootOrdinal(): number {
    return 0;
  }

  nodeTypeOf(o: number): number {
    return this.nodeTypes[o];
  }
  nodeTypeName(o: number): string {
    return this.meta.nodeTypes[this.nodeTypeOf(o)] ?? 'unknown';
  }
  nodeName(o: number): string {
    return this.strings.get(this.nodes[o * this.nodeFieldCount + this.nodeNameOffset]);
  }
  nodeId(o: number): number {
    return this.nodes[o * this.nodeFieldCount + this.nodeIdOffset];
  }
  /** V8's self size (not DevTools' folded shown size; see analysis/self-sizes). */
  nodeSelfSize(o: number): number {
    const size = this.nodes[o * this.nodeFieldCount + this.nodeSelfSizeOffset];
    return size === 0xffffffff && this.bigSelfSizes ? bigSelfSize(this.bigSelfSizes, o, size) : size;
  }
  nodeDetachedness(o: number): number {
    return this.nodeDetachednessOffset < 0 ? 0 : this.nodes[o * this.nodeFieldCount + this.nodeDetachednessOffset];
  }

  edgeTypeOf(e: number): number {
    return this.edgeTypes[e];
  }
  edgeTypeName(e: number): string {
    return this.meta.edgeTypes[this.edgeTypeOf(e)] ?? 'unknown';
  }
  edgeTarget(e: number): number {
    return this.edgeTargets[e];
  }
  /** Raw name_or_index: a string index for named edges, a number for `element` and `hidden` edges. */
  edgeNameOrIndex(e: number): number {
    return this.edgeNames[e];
  }
  /** The target of node o's internal edge of this name (e.g. a closure's `shared`), or -1. */
  internalEdgeTarget(o: number, name: string): number {
    const internal = this.edgeType.internal;
    for (let e = this.firstEdge[o]; e < this.firstEdge[o + 1]; e++) {
      if (this.edgeTypes[e] === internal && this.edgeName(e) === name) return this.edgeTarget(e);
    }
    return -1;
  }

  /** The edge's name as text: element/hidden edges are numbers, the rest are strings. */
  edgeName(e: number): string {
    const t = this.edgeTypeOf(e);
    const v = this.edgeNameOrIndex(e);
    if (t === this.edgeType.element || t === this.edgeType.hidden) return String(v);
    return v < this.strings.length ? this.strings.get(v) : String(v);
  }
}

export const KNOWN_NODE_TYPES = [
  'hidden',
  'array',
  'string',
  'object',
  'code',
  'closure',
  'regexp',
  'number',
  'native',
  'synthetic',
  'concatenated string',
  'sliced string',
  'symbol',
  'bigint',
  'object shape',
];
export const KNOWN_EDGE_TYPES = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'];

/** name → enum value; names this V8 version lacks map to -1 (read once into a local in hot loops). */
function enumIndex(values: string[], known: string[]): Record<string, number> {
  const out: Record<string, number> = Object.create(null);
  for (const k of known) out[k] = -1;
  values.forEach((v, i) => {
    out[v] = i;
  });
  return out;
}

/** Node o's exact self size from the side list, or `stored` when o is not in it (a size of exactly 2^32-1). */
export function bigSelfSize(big: BigSelfSizes, o: number, stored: number): number {
  const { ordinals, sizes } = big;
  const at = lowerBound(ordinals, o);
  return ordinals[at] === o ? sizes[at] : stored;
}

/**
 * The nodes of one type (or of either of two), in order: one tight pass over the types (a byte a node), so that a
 * check that looks at a few thousand nodes of a type does not run its own code over every node (8 M on a big
 * heap: a function called once runs much of such a loop before it is optimized).
 */
export function nodesOfType(s: HeapSnapshot, type: number, orType = type): number[] {
  const types = s.nodeTypes;
  const out: number[] = [];
  for (let o = 0, n = s.nodeCount; o < n; o++) if (types[o] === type || types[o] === orType) out.push(o);
  return out;
}

/** The first position in `sorted` (ascending) whose value is not below `value`; sorted.length when none. */
export function lowerBound(sorted: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
