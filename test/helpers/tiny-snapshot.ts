// Writes small hand-made .heapsnapshot files in V8's format (Node 20's field layout), for tests whose
// expected numbers are worked out by hand. The one writer of hand-made snapshots: the reader's hand-written
// fixture (test/snapshot/helpers.ts) is built with jsonSnapshot below too.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KNOWN_EDGE_TYPES, KNOWN_NODE_TYPES } from '../../src/snapshot/snapshot.js';

export interface JsonSnapshot {
  snapshot: {
    meta: Record<string, unknown> & {
      node_fields: string[];
      node_types: unknown[];
      edge_fields: string[];
      edge_types: unknown[];
    };
    node_count: number;
    edge_count: number;
    trace_function_count?: number;
  };
  nodes: number[];
  edges: number[];
  trace_function_infos?: number[];
  trace_tree?: unknown[];
  samples?: number[];
  locations?: number[];
  strings: string[];
}

const NODE_FIELDS = ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'];
const EDGE_FIELDS = ['type', 'name_or_index', 'to_node'];

/** A whole snapshot document in Node 20's layout from flat node/edge records (to_node as ordinal × 7). */
export function jsonSnapshot(
  nodeTypes: string[],
  nodes: number[],
  edges: number[],
  strings: string[],
  locations: number[] = [],
): JsonSnapshot {
  return {
    snapshot: {
      meta: {
        // fresh arrays: tests mutate documents, and the type lists are the reader's own
        node_fields: [...NODE_FIELDS],
        node_types: [[...nodeTypes], 'string', 'number', 'number', 'number', 'number', 'number'],
        edge_fields: [...EDGE_FIELDS],
        edge_types: [[...KNOWN_EDGE_TYPES], 'string_or_number', 'node'],
        trace_function_info_fields: ['function_id', 'name', 'script_name', 'script_id', 'line', 'column'],
        trace_node_fields: ['id', 'function_info_index', 'count', 'size', 'children'],
        sample_fields: ['timestamp_us', 'last_assigned_id'],
        location_fields: ['object_index', 'script_id', 'line', 'column'],
      },
      node_count: nodes.length / NODE_FIELDS.length,
      edge_count: edges.length / EDGE_FIELDS.length,
      trace_function_count: 0,
    },
    nodes,
    edges,
    trace_function_infos: [],
    trace_tree: [],
    samples: [],
    locations,
    strings,
  };
}

export interface TinyNode {
  /** A key the edges refer to. */
  key: string;
  type: string;
  name: string;
  id: number;
  size: number;
}
/** [from key, edge type, name (or element index), to key] */
export type TinyEdge = [string, string, string | number, string];

export const node = (key: string, type: string, name: string, id: number, size: number): TinyNode => ({
  key,
  type,
  name,
  id,
  size,
});

export function writeTinySnapshot(file: string, nodes: TinyNode[], edges: TinyEdge[]): void {
  const strings: string[] = [];
  const str = (s: string): number => {
    const i = strings.indexOf(s);
    return i >= 0 ? i : strings.push(s) - 1;
  };
  const ordinal = new Map(nodes.map((n, i) => [n.key, i]));
  const nodeFields = NODE_FIELDS.length;
  const flatNodes: number[] = [];
  const flatEdges: number[] = [];
  for (const n of nodes) {
    const out = edges.filter((e) => e[0] === n.key);
    flatNodes.push(KNOWN_NODE_TYPES.indexOf(n.type), str(n.name), n.id, n.size, out.length, 0, 0);
    for (const [, type, name, to] of out) {
      const t = KNOWN_EDGE_TYPES.indexOf(type);
      if (t < 0 || !ordinal.has(to)) throw new Error(`bad edge ${n.key} ${type} ${name} ${to}`);
      const nameOrIndex = type === 'element' || type === 'hidden' ? Number(name) : str(String(name));
      flatEdges.push(t, nameOrIndex, ordinal.get(to)! * nodeFields);
    }
  }
  writeFileSync(file, JSON.stringify(jsonSnapshot(KNOWN_NODE_TYPES, flatNodes, flatEdges, strings)));
}

/** Writes the graph to `fileName` in a fresh temporary directory (the caller removes `dir`). */
export function writeTinySnapshotInTempDir(
  prefix: string,
  fileName: string,
  nodes: TinyNode[],
  edges: TinyEdge[],
): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = join(dir, fileName);
  writeTinySnapshot(file, nodes, edges);
  return { dir, file };
}
