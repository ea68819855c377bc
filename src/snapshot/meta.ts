import { SnapshotFormatError } from './format-error.js';
import type { SnapshotMeta } from './snapshot.js';

export interface SnapshotHeader {
  meta: SnapshotMeta;
  nodeCount: number;
  edgeCount: number;
  /** File offset of the `node_count` key, where count problems are reported. */
  countsAt: number;
}

const REQUIRED_NODE_FIELDS = ['type', 'name', 'id', 'self_size', 'edge_count'];
const REQUIRED_EDGE_FIELDS = ['type', 'name_or_index', 'to_node'];

/**
 * Reads and checks the `snapshot` object (meta and counts). `text` is its JSON, found at file offset `at`;
 * problems are reported at the offset of the key they concern. Extra fields (a newer V8's) are kept, the
 * ones heapwatch needs must be there.
 */
export function parseHeader(text: string, at: number): SnapshotHeader {
  const where = (key: string) => {
    const i = text.indexOf(`"${key}"`);
    return at + (i < 0 ? 0 : Buffer.byteLength(text.slice(0, i)));
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SnapshotFormatError('snapshot header is not valid JSON', at);
  }
  if (!isObject(value)) throw new SnapshotFormatError('snapshot header is not an object', at);
  const raw = value.meta;
  if (!isObject(raw)) throw new SnapshotFormatError('snapshot.meta is missing', where('meta'));
  const nodeFields = fieldList(raw, 'node_fields', REQUIRED_NODE_FIELDS, where);
  const edgeFields = fieldList(raw, 'edge_fields', REQUIRED_EDGE_FIELDS, where);
  const nodeTypes = typeList(raw, 'node_types', nodeFields.length, where);
  const edgeTypes = typeList(raw, 'edge_types', edgeFields.length, where);
  const nodeCount = count(value, 'node_count', where);
  const edgeCount = count(value, 'edge_count', where);
  return {
    meta: { nodeFields, nodeTypes, edgeFields, edgeTypes, raw },
    nodeCount,
    edgeCount,
    countsAt: where('node_count'),
  };
}

function fieldList(
  meta: Record<string, unknown>,
  key: string,
  required: string[],
  where: (key: string) => number,
): string[] {
  const v = meta[key];
  if (!Array.isArray(v) || v.length === 0 || v.length > 64 || !v.every((s) => typeof s === 'string')) {
    throw new SnapshotFormatError(`snapshot.meta.${key} is missing or not a list of names`, where(key));
  }
  if (new Set(v).size !== v.length) throw new SnapshotFormatError(`snapshot.meta.${key} repeats a name`, where(key));
  for (const name of required) {
    if (!v.includes(name)) throw new SnapshotFormatError(`snapshot.meta.${key} lacks '${name}'`, where(key));
  }
  return v as string[];
}

/** `node_types`/`edge_types`: one entry per field; the `type` field's entry is the list of enum names. */
function typeList(
  meta: Record<string, unknown>,
  key: string,
  fieldCount: number,
  where: (key: string) => number,
): string[] {
  const v = meta[key];
  const typeIndex = (meta[key === 'node_types' ? 'node_fields' : 'edge_fields'] as string[]).indexOf('type');
  // Node 24 lists one more entry than it has fields (trace_node_id's, left behind): only the `type` entry matters
  const names = Array.isArray(v) && v.length >= fieldCount ? v[typeIndex] : undefined;
  if (!Array.isArray(names) || names.length === 0 || !names.every((s) => typeof s === 'string')) {
    throw new SnapshotFormatError(`snapshot.meta.${key} is missing or does not list the types`, where(key));
  }
  return names as string[];
}

function count(header: Record<string, unknown>, key: string, where: (key: string) => number): number {
  const v = header[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new SnapshotFormatError(`snapshot.${key} is missing or not a count`, where(key));
  }
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
