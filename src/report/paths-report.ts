import { ordinalsOfIds } from '../analysis/graph.js';
import { nodeName } from '../analysis/index.js';
import { computeRootPaths, shortestPaths } from '../analysis/paths.js';
import { functionLocation, locationText, type SourceLocation } from '../analysis/source-locations.js';
import type { HeapAnalysis } from '../analysis/types.js';
import { usageError } from '../errors.js';
import { formatBytes } from '../format.js';
import { type PathStepJson, pathFunctionsText, pathJson } from './leak-findings.js';
import { clip } from './node-row.js';

/** `heapwatch path --json`. */
export interface PathsReport {
  schema: 'heapwatch/paths@1';
  snapshot: { path: string };
  object: {
    id: number;
    name: string;
    className: string;
    selfSize: number;
    retainedSize: number;
    /** A function's definition (1-based), when the snapshot locates it; absent otherwise. */
    location?: SourceLocation;
  };
  /** Shortest first; each from the GC roots (root side first) to the object. Empty when only weak edges reach it. */
  paths: { length: number; steps: PathStepJson[]; text: string }[];
}

export function buildPathsReport(file: string, a: HeapAnalysis, id: number, limit: number): PathsReport {
  const s = a.snapshot;
  const [o] = ordinalsOfIds(s, [id]);
  if (o < 0) throw usageError(`no node with id @${id} in ${file}`, 'NO_SUCH_NODE');
  const rp = computeRootPaths(s, { holderPaths: true });
  const paths = shortestPaths(a, rp, o, limit).map((steps) => {
    const { path, pathText } = pathJson(a, steps);
    return { length: steps.length, steps: path, text: pathText };
  });
  const object: PathsReport['object'] = {
    id,
    name: clip(nodeName(a, o)),
    className: a.classNames[a.classOf[o]],
    selfSize: a.selfSizes[o],
    retainedSize: a.retainedSizes[o],
  };
  const location = functionLocation(s, o);
  if (location) object.location = location;
  return { schema: 'heapwatch/paths@1', snapshot: { path: file }, object, paths };
}

export function renderPathsText(r: PathsReport): string {
  const o = r.object;
  const name = o.name && o.name !== o.className ? ` ${JSON.stringify(clip(o.name, 60))}` : '';
  const lines = [
    `@${o.id} ${o.className}${name}${o.location ? ` (${locationText(o.location)})` : ''}: self ${formatBytes(o.selfSize)}, retained ${formatBytes(o.retainedSize)}`,
  ];
  if (r.paths.length === 0) {
    lines.push('  no path from the GC roots over strong references (only weak references reach it)');
  } else {
    lines.push(`${r.paths.length === 1 ? 'Shortest path' : `${r.paths.length} shortest paths`} from the GC roots:`);
    r.paths.forEach((p, i) => {
      lines.push(`  ${i + 1}. ${p.length === 0 ? '(the root itself)' : `(${p.length} edges) ${p.text}`}`);
      const functions = pathFunctionsText(p.steps);
      if (functions) lines.push(`     defined at: ${functions}`);
    });
  }
  return `${lines.join('\n')}\n`;
}
