import type { SnapshotMeta } from './snapshot.js';

/** A record whose field holds a value out of range: which array, which number in it, and what is wrong. */
export interface BadField {
  section: 'nodes' | 'edges' | 'locations';
  /** Index of the offending number in its array. */
  index: number;
  what: string;
}

/**
 * Checks every node (type, name) and builds firstEdge from edge_count. Returns the CSR, or the first bad
 * field. Typed-array loops only.
 */
export function checkNodes(
  meta: SnapshotMeta,
  nodes: Uint32Array,
  stringCount: number,
  edgeCount: number,
): { firstEdge: Uint32Array } | BadField {
  const nf = meta.nodeFields.length;
  const typeOff = meta.nodeFields.indexOf('type');
  const nameOff = meta.nodeFields.indexOf('name');
  const countOff = meta.nodeFields.indexOf('edge_count');
  const typeCount = meta.nodeTypes.length;
  const nodeCount = nodes.length / nf;
  const firstEdge = new Uint32Array(nodeCount + 1);
  let sum = 0;
  for (let o = 0, i = 0; o < nodeCount; o++, i += nf) {
    firstEdge[o] = sum;
    if (nodes[i + typeOff] >= typeCount)
      return { section: 'nodes', index: i + typeOff, what: 'node type out of range' };
    if (nodes[i + nameOff] >= stringCount) {
      return { section: 'nodes', index: i + nameOff, what: 'node name is not a string index' };
    }
    sum += nodes[i + countOff];
    if (sum > edgeCount) {
      return { section: 'nodes', index: i + countOff, what: 'node edge counts add up to more than edge_count' };
    }
  }
  if (sum !== edgeCount) {
    return { section: 'nodes', index: nodes.length, what: `node edge counts add up to ${sum}, not edge_count` };
  }
  firstEdge[nodeCount] = sum;
  return { firstEdge };
}

/**
 * Checks edges [from, to) (edge ordinals) and turns to_node from an index into `nodes` into a node ordinal,
 * in place. Returns the first bad field or null. Runs on slices so it can be split.
 */
export function convertEdges(
  meta: SnapshotMeta,
  edges: Uint32Array,
  nodeCount: number,
  stringCount: number,
  from: number,
  to: number,
): BadField | null {
  const ef = meta.edgeFields.length;
  const nf = meta.nodeFields.length;
  const typeOff = meta.edgeFields.indexOf('type');
  const nameOff = meta.edgeFields.indexOf('name_or_index');
  const toOff = meta.edgeFields.indexOf('to_node');
  const typeCount = meta.edgeTypes.length;
  // element and hidden edges are named by a number; all others by a string index
  const element = meta.edgeTypes.indexOf('element');
  const hidden = meta.edgeTypes.indexOf('hidden');
  const limit = nodeCount * nf;
  for (let e = from, i = from * ef; e < to; e++, i += ef) {
    const t = edges[i + typeOff];
    if (t >= typeCount) return { section: 'edges', index: i + typeOff, what: 'edge type out of range' };
    if (t !== element && t !== hidden && edges[i + nameOff] >= stringCount) {
      return { section: 'edges', index: i + nameOff, what: 'edge name is not a string index' };
    }
    const target = edges[i + toOff];
    if (target >= limit) return { section: 'edges', index: i + toOff, what: 'edge points past the last node' };
    const ordinal = target / nf;
    if (ordinal !== Math.floor(ordinal)) {
      return { section: 'edges', index: i + toOff, what: 'edge to_node is not a multiple of node_fields' };
    }
    edges[i + toOff] = ordinal;
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
