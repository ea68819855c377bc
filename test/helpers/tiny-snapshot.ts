// Writes small hand-made .heapsnapshot files in V8's format (Node 20's field layout), for tests whose
// expected numbers are worked out by hand.
import { writeFileSync } from 'node:fs';

const NODE_TYPES = [
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
const EDGE_TYPES = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'];

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

export function writeTinySnapshot(file: string, nodes: TinyNode[], edges: TinyEdge[]): void {
  const strings: string[] = [];
  const str = (s: string): number => {
    const i = strings.indexOf(s);
    return i >= 0 ? i : strings.push(s) - 1;
  };
  const ordinal = new Map(nodes.map((n, i) => [n.key, i]));
  const nodeFields = 7;
  const flatNodes: number[] = [];
  const flatEdges: number[] = [];
  for (const n of nodes) {
    const out = edges.filter((e) => e[0] === n.key);
    flatNodes.push(NODE_TYPES.indexOf(n.type), str(n.name), n.id, n.size, out.length, 0, 0);
    for (const [, type, name, to] of out) {
      const t = EDGE_TYPES.indexOf(type);
      if (t < 0 || !ordinal.has(to)) throw new Error(`bad edge ${n.key} ${type} ${name} ${to}`);
      const nameOrIndex = type === 'element' || type === 'hidden' ? Number(name) : str(String(name));
      flatEdges.push(t, nameOrIndex, ordinal.get(to)! * nodeFields);
    }
  }
  const doc = {
    snapshot: {
      meta: {
        node_fields: ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'],
        node_types: [NODE_TYPES, 'string', 'number', 'number', 'number', 'number', 'number'],
        edge_fields: ['type', 'name_or_index', 'to_node'],
        edge_types: [EDGE_TYPES, 'string_or_number', 'node'],
        trace_function_info_fields: ['function_id', 'name', 'script_name', 'script_id', 'line', 'column'],
        trace_node_fields: ['id', 'function_info_index', 'count', 'size', 'children'],
        sample_fields: ['timestamp_us', 'last_assigned_id'],
        location_fields: ['object_index', 'script_id', 'line', 'column'],
      },
      node_count: nodes.length,
      edge_count: flatEdges.length / 3,
      trace_function_count: 0,
    },
    nodes: flatNodes,
    edges: flatEdges,
    trace_function_infos: [],
    trace_tree: [],
    samples: [],
    locations: [],
    strings,
  };
  writeFileSync(file, JSON.stringify(doc));
}
