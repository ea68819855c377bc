import type { RecordSink } from './scan-targets.js';
import type { SnapshotMeta } from './snapshot.js';

/** A record whose field holds a value out of range: which array, which number in it, and what is wrong. */
export interface BadField {
  section: 'nodes' | 'edges' | 'locations';
  /** Index of the offending number in its array. */
  index: number;
  what: string;
}

/** What a check pass found: the largest string index used as a name (checked once the strings are read), or a bad field. */
export interface CheckResult {
  maxName: number;
  bad: BadField | null;
  /** Nodes only: the nodes with a DOM state (detachedness other than 0), null when too many to list. */
  domStateNodes?: number[] | null;
}

const MAX_LISTED_DOM_STATES = 1 << 16;

/**
 * Takes the node records as they are parsed (a RecordSink, in file order): checks every node's type and
 * edge_count, fills firstEdge (nodeCount + 1 entries) with the prefix sums of edge_count and `types` with each
 * node's type, and stores the record's
 * kept fields (see storedNodes) at the front of `nodes`, whose rest is never touched. Needs no strings: the
 * largest name index is kept for a check against the strings table later.
 */
export class NodeIndexer implements RecordSink {
  private maxName = 0;
  private bad: BadField | null = null;
  private sum = 0;
  private readonly from: Uint32Array;
  private readonly typeOff: number;
  private readonly nameOff: number;
  private readonly countOff: number;
  private readonly detOff: number;
  private domStateNodes: number[] | null = [];

  constructor(
    private readonly meta: SnapshotMeta,
    private readonly nodes: Uint32Array,
    private readonly types: Uint8Array,
    private readonly edgeCount: number,
    private readonly firstEdge: Uint32Array,
  ) {
    const fields = meta.nodeFields;
    this.from = Uint32Array.from(keptNodeFields(fields), (f) => fields.indexOf(f));
    this.typeOff = fields.indexOf('type');
    this.nameOff = fields.indexOf('name');
    this.countOff = fields.indexOf('edge_count');
    this.detOff = fields.indexOf('detachedness');
  }

  records(values: Uint32Array, at: number, first: number, count: number): void {
    const nf = this.meta.nodeFields.length;
    const { from, typeOff, nameOff, countOff, detOff, nodes, types, firstEdge, edgeCount } = this;
    const kf = from.length;
    const typeCount = this.meta.nodeTypes.length;
    // the kept fields of today's layout (five of seven) copied unrolled: twice as fast as the loop over them
    const [f0, f1, f2, f3, f4] = kf === 5 ? from : [0, 0, 0, 0, 0];
    let { sum, maxName } = this;
    for (let o = first, i = at, j = first * kf, end = first + count; o < end; o++, i += nf) {
      firstEdge[o] = sum;
      if (detOff >= 0 && (values[i + detOff] & 3) !== 0) this.noteDomState(o);
      const type = values[i + typeOff];
      types[o] = type;
      const name = values[i + nameOff];
      if (name > maxName) maxName = name;
      sum += values[i + countOff];
      if (type >= typeCount) this.fail(o * nf + typeOff, 'node type out of range');
      if (sum > edgeCount) this.fail(o * nf + countOff, 'node edge counts add up to more than edge_count');
      if (kf === 5) {
        nodes[j] = values[i + f0];
        nodes[j + 1] = values[i + f1];
        nodes[j + 2] = values[i + f2];
        nodes[j + 3] = values[i + f3];
        nodes[j + 4] = values[i + f4];
        j += 5;
      } else {
        for (let k = 0; k < kf; k++) nodes[j++] = values[i + from[k]];
      }
    }
    this.sum = sum;
    this.maxName = maxName;
  }

  private noteDomState(o: number): void {
    const list = this.domStateNodes;
    if (list === null) return;
    // a browser's snapshot may have millions: past this many the analysis walks the records instead
    if (list.length === MAX_LISTED_DOM_STATES) this.domStateNodes = null;
    else list.push(o);
  }

  /** Once every record is in: the check of the whole array. */
  result(): CheckResult {
    const nodeCount = this.firstEdge.length - 1;
    if (this.sum !== this.edgeCount) {
      // points past the last record, at the `]`
      this.fail(nodeCount * this.meta.nodeFields.length, `node edge counts add up to ${this.sum}, not edge_count`);
    }
    this.firstEdge[nodeCount] = this.sum;
    return { maxName: this.maxName, bad: this.bad, domStateNodes: this.domStateNodes };
  }

  /** Keeps the first problem, the records coming in file order; `index` is the number's in the file's array. */
  private fail(index: number, what: string): void {
    this.bad ??= { section: 'nodes', index, what };
  }
}

/** Where converted edges go: an array per field, the type a byte (9 bytes an edge; the file's records take 12). */
export interface EdgeOutput {
  types: Uint8Array;
  names: Uint32Array;
  targets: Uint32Array;
}

/**
 * Checks `count` of the file's edge records, from record `first`, held in values[at…], and writes them into
 * `out`, a field to each array: to_node turned from an index into `nodes` into a node ordinal. Returns the largest
 * string index used as an edge name (element and hidden edges are named by numbers).
 */
export function convertEdges(
  meta: SnapshotMeta,
  values: Uint32Array,
  at: number,
  first: number,
  count: number,
  nodeCount: number,
  out: EdgeOutput,
): CheckResult {
  const ef = meta.edgeFields.length;
  const nf = meta.nodeFields.length;
  const typeOff = meta.edgeFields.indexOf('type');
  const nameOff = meta.edgeFields.indexOf('name_or_index');
  const toOff = meta.edgeFields.indexOf('to_node');
  const typeCount = meta.edgeTypes.length;
  const element = meta.edgeTypes.indexOf('element');
  const hidden = meta.edgeTypes.indexOf('hidden');
  const limit = nodeCount * nf;
  const perField = 1 / nf;
  const { types, names, targets } = out;
  const bad = (e: number, off: number, what: string): CheckResult => ({
    maxName,
    bad: { section: 'edges', index: e * ef + off, what },
  });
  let maxName = 0;
  for (let e = first, i = at, end = first + count; e < end; e++, i += ef) {
    const t = values[i + typeOff];
    if (t >= typeCount) return bad(e, typeOff, 'edge type out of range');
    const name = values[i + nameOff];
    if (t !== element && t !== hidden && name > maxName) maxName = name;
    const target = values[i + toOff];
    if (target >= limit) return bad(e, toOff, 'edge points past the last node');
    // by the reciprocal, not a division: exact for a multiple of nf under 2^32, and any other fails the check
    const ordinal = Math.round(target * perField);
    if (ordinal * nf !== target) return bad(e, toOff, 'edge to_node is not a multiple of node_fields');
    types[e] = t;
    names[e] = name;
    targets[e] = ordinal;
  }
  return { maxName, bad: null };
}

/** Runs convertEdges over runs of edge records as they are parsed, keeping the largest name and the first bad field. */
export class EdgeConverter implements RecordSink {
  maxName = 0;
  bad: BadField | null = null;

  constructor(
    private readonly meta: SnapshotMeta,
    private readonly nodeCount: number,
    private readonly out: EdgeOutput,
  ) {}

  records(values: Uint32Array, at: number, first: number, count: number): void {
    if (this.bad) return;
    const r = convertEdges(this.meta, values, at, first, count, this.nodeCount, this.out);
    if (r.maxName > this.maxName) this.maxName = r.maxName;
    this.bad = r.bad;
  }

  result(): CheckResult {
    return { maxName: this.maxName, bad: this.bad };
  }
}

/** Slow path once an edge name is known to be out of range: the first edge that has it, from the converted edges. */
export function firstBadEdgeName(meta: SnapshotMeta, out: EdgeOutput, stringCount: number): BadField | null {
  const numbered = [meta.edgeTypes.indexOf('element'), meta.edgeTypes.indexOf('hidden')];
  const nameOff = meta.edgeFields.indexOf('name_or_index');
  const { types, names } = out;
  for (let e = 0; e < names.length; e++) {
    if (names[e] >= stringCount && !numbered.includes(types[e])) {
      return { section: 'edges', index: e * meta.edgeFields.length + nameOff, what: 'edge name is not a string index' };
    }
  }
  return null;
}

/** locations: [object index, script id, line, column]×n; object index becomes a node ordinal. */
export function convertLocations(meta: SnapshotMeta, locations: Uint32Array, nodeCount: number): BadField | null {
  const fields = meta.raw.location_fields;
  const lf = Array.isArray(fields) && fields.length > 0 ? fields.length : 4;
  const objOff = Array.isArray(fields) && fields.indexOf('object_index') >= 0 ? fields.indexOf('object_index') : 0;
  const nf = meta.nodeFields.length;
  if (locations.length % lf !== 0) {
    return { section: 'locations', index: locations.length, what: `locations is not a whole number of records` };
  }
  for (let i = objOff; i < locations.length; i += lf) {
    const v = locations[i];
    const ordinal = v / nf;
    if (v >= nodeCount * nf || ordinal !== Math.floor(ordinal)) {
      return { section: 'locations', index: i, what: 'location points at no node' };
    }
    locations[i] = ordinal;
  }
  return null;
}

// node fields the reader does not keep: edge_count is in firstEdge once it is built, trace_node_id nothing reads
const DROPPED_NODE_FIELDS = ['edge_count', 'trace_node_id'];

/**
 * The node records as stored: every field of the file but edge_count and trace_node_id (8 bytes a node less).
 * `nodes` is the front of the file-sized array (as NodeIndexer stores them); `freed` is the rest, for arrays
 * the analysis keeps (no new memory, no garbage). `meta.fileNodeFields` keeps the file's layout.
 */
export function storedNodes(
  meta: SnapshotMeta,
  nodes: Uint32Array,
): { meta: SnapshotMeta; nodes: Uint32Array; freed: Uint32Array | null } {
  const fileFields = meta.nodeFields;
  const kept = keptNodeFields(fileFields);
  if (kept.length === fileFields.length) return { meta, nodes, freed: null };
  const nodeCount = nodes.length / fileFields.length;
  return {
    meta: { ...meta, nodeFields: kept, fileNodeFields: fileFields },
    nodes: nodes.subarray(0, nodeCount * kept.length),
    freed: nodes.subarray(nodeCount * kept.length),
  };
}

function keptNodeFields(fileFields: string[]): string[] {
  return fileFields.filter((f) => !DROPPED_NODE_FIELDS.includes(f));
}

/**
 * Slow path once a node name is known to be out of range: the first node that has it, from the stored records
 * at the front of the file-sized `nodes` (the index is the number's in the file's array).
 */
export function firstBadStoredNodeName(meta: SnapshotMeta, nodes: Uint32Array, stringCount: number): BadField | null {
  const kept = keptNodeFields(meta.nodeFields);
  const nameAt = kept.indexOf('name');
  const nodeCount = nodes.length / meta.nodeFields.length;
  for (let o = 0; o < nodeCount; o++) {
    if (nodes[o * kept.length + nameAt] >= stringCount) {
      const index = o * meta.nodeFields.length + meta.nodeFields.indexOf('name');
      return { section: 'nodes', index, what: 'node name is not a string index' };
    }
  }
  return null;
}
