// Test-only loader: JSON.parses a SMALL .heapsnapshot into a HeapSnapshot (to_node → ordinal, firstEdge CSR).
// The product reads snapshots with the streaming reader (src/snapshot/reader.ts); this exists so analysis
// tests do not depend on it.
import { readFileSync } from 'node:fs';
import { HeapSnapshot } from '../../src/snapshot/snapshot.js';

interface RawSnapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: unknown[];
      edge_fields: string[];
      edge_types: unknown[];
      location_fields?: string[];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
  locations?: number[];
}

export function loadJsonSnapshot(file: string): HeapSnapshot {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as RawSnapshot;
  const m = raw.snapshot.meta;
  const nodeFields = m.node_fields.length;
  const edgeFields = m.edge_fields.length;
  const nodes = Uint32Array.from(raw.nodes);
  const edges = Uint32Array.from(raw.edges);
  const nodeCount = nodes.length / nodeFields;
  const edgeCountOffset = m.node_fields.indexOf('edge_count');
  const toNodeOffset = m.edge_fields.indexOf('to_node');
  const firstEdge = new Uint32Array(nodeCount + 1);
  for (let o = 0; o < nodeCount; o++) firstEdge[o + 1] = firstEdge[o] + nodes[o * nodeFields + edgeCountOffset];
  if (firstEdge[nodeCount] * edgeFields !== edges.length)
    throw new Error(`${file}: edge_count sum does not match edges`);
  for (let e = toNodeOffset; e < edges.length; e += edgeFields) edges[e] /= nodeFields;
  const locFields = m.location_fields ?? [];
  const locations = Uint32Array.from(raw.locations ?? []);
  const objectIndex = locFields.indexOf('object_index');
  if (objectIndex >= 0)
    for (let i = objectIndex; i < locations.length; i += locFields.length) locations[i] /= nodeFields;
  const meta = {
    nodeFields: m.node_fields,
    nodeTypes: m.node_types[m.node_fields.indexOf('type')] as string[],
    edgeFields: m.edge_fields,
    edgeTypes: m.edge_types[m.edge_fields.indexOf('type')] as string[],
    raw: m as unknown as Record<string, unknown>,
  };
  return new HeapSnapshot(meta, nodes, edges, firstEdge, raw.strings, locations);
}
