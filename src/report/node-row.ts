import { nodeName } from '../analysis/node-names.js';
import { functionLocation, locationText, type SourceLocation } from '../analysis/source-locations.js';
import type { HeapAnalysis } from '../analysis/types.js';

/** Longest node name put in a report (string contents can be megabytes). */
export const MAX_NAME = 200;

/** One object as reports show it; ids are the snapshot's node ids, sizes in bytes. */
export interface NodeRow {
  id: number;
  name: string;
  type: string;
  className: string;
  selfSize: number;
  retainedSize: number;
  dominatorId: number;
  /** Functions: where they are defined (1-based), when the snapshot says. Absent for other objects. */
  location?: SourceLocation;
}

export function clip(text: string, max = MAX_NAME): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function nodeRow(a: HeapAnalysis, o: number): NodeRow {
  const s = a.snapshot;
  const row: NodeRow = {
    id: s.nodeId(o),
    name: clip(nodeName(a, o)),
    type: s.nodeTypeName(o),
    className: a.classNames[a.classOf[o]],
    selfSize: a.selfSizes[o],
    retainedSize: a.retainedSizes[o],
    dominatorId: s.nodeId(a.dominators[o]),
  };
  const location = functionLocation(s, o);
  if (location) row.location = location;
  return row;
}

/**
 * "Map @123" or "Session user-1 @456": class, then the name when it says more, then the id; a function adds
 * where it is defined: "(closure) onOrderUpdated @789 (listeners.cjs:12:58)".
 */
export function describeNode(row: Pick<NodeRow, 'id' | 'name' | 'className' | 'location'>, maxName = 60): string {
  const name = row.name && row.name !== row.className ? JSON.stringify(clip(row.name, maxName)).slice(1, -1) : '';
  // synthetic roots are known by their names alone: "(GC roots) @3"
  if (row.className === '(synthetic)' && name) return `${name} @${row.id}`;
  const where = row.location ? ` (${locationText(row.location)})` : '';
  return `${row.className}${name ? ` ${name}` : ''} @${row.id}${where}`;
}
