import { edgeSource, edgesInto, ordinalsOfIds } from '../analysis/graph.js';
import { nodeName } from '../analysis/node-names.js';
import type { HeapAnalysis } from '../analysis/types.js';
import { usageError } from '../errors.js';
import { clip, type NodeRow, nodeRow } from './node-row.js';

export interface RetainerRow {
  /** The retaining node. */
  id: number;
  name: string;
  className: string;
  retainedSize: number;
  edgeType: string;
  edgeName: string;
}

export interface NodesReport {
  schema: 'heapwatch/nodes@1';
  snapshot: { path: string };
  nodes: (NodeRow & {
    dominatorName: string;
    dominatorClassName: string;
    retainerCount: number;
    retainers: RetainerRow[];
  })[];
}

/**
 * The three graph questions `node` asks: which ordinals have these ids, which edges point into these nodes, from
 * which nodes. Answered from the analysis in memory by a pass over its arrays, or from an index by reading it.
 */
export interface NodeQueries {
  ordinalsOfIds(ids: readonly number[]): number[];
  /** The edges into each of these nodes, in increasing order (an object may have 10^5: typed arrays will do). */
  edgesInto(ordinals: readonly number[]): ArrayLike<number>[];
  edgeSources(edges: ArrayLike<number>): ArrayLike<number>;
  /** The type of each of these edges, and the retained size of each of these nodes. */
  edgeTypesOf(edges: ArrayLike<number>): ArrayLike<number>;
  retainedSizesOf(ordinals: ArrayLike<number>): ArrayLike<number>;
  /** Finds ahead, in one pass, what the rows of these nodes read of the closures among them (their locations). */
  locateClosures?(ordinals: readonly number[]): void;
}

export function memoryNodeQueries(a: HeapAnalysis): NodeQueries {
  const s = a.snapshot;
  return {
    ordinalsOfIds: (ids) => ordinalsOfIds(s, ids),
    edgesInto: (ordinals) => edgesInto(s, ordinals),
    edgeSources: (edges) => Array.from(edges, (e) => edgeSource(s, e)),
    edgeTypesOf: (edges) => Array.from(edges, (e) => s.edgeTypeOf(e)),
    retainedSizesOf: (ordinals) => Array.from(ordinals, (o) => a.retainedSizes[o]),
  };
}

/**
 * Each requested object with its class, sizes, dominator and immediate retainers (strong ones first, then by
 * the retainer's retained size; at most `maxRetainers` each). Unknown ids are bad input: no partial answer.
 */
export function buildNodesReport(
  path: string,
  a: HeapAnalysis,
  ids: number[],
  maxRetainers: number,
  q: NodeQueries = memoryNodeQueries(a),
): NodesReport {
  const s = a.snapshot;
  const ordinals = q.ordinalsOfIds(ids);
  const missing = ids.filter((_, i) => ordinals[i] < 0);
  if (missing.length > 0) {
    const shown = missing
      .slice(0, 5)
      .map((id) => `@${id}`)
      .join(', ');
    throw usageError(
      `no node with id ${shown}${missing.length > 5 ? ` (and ${missing.length - 5} more)` : ''} in ${path}`,
      'NO_SUCH_NODE',
    );
  }
  q.locateClosures?.(ordinals);
  const incoming = q.edgesInto(ordinals);
  const weak = s.edgeType.weak;
  return {
    schema: 'heapwatch/nodes@1',
    snapshot: { path },
    nodes: ordinals.map((o, i) => {
      const into = incoming[i];
      const sources = q.edgeSources(into);
      const types = q.edgeTypesOf(into);
      const sizes = q.retainedSizesOf(sources);
      // the first few in order, by one pass: an object may have 10^5 retainers and only those are shown
      const shown = firstInOrder(
        into.length,
        maxRetainers,
        (x, y) => Number(types[x] === weak) - Number(types[y] === weak) || sizes[y] - sizes[x] || into[x] - into[y],
      ).map((k) => ({ e: into[k], from: sources[k] }));
      return {
        ...nodeRow(a, o),
        dominatorName: clip(nodeName(a, a.dominators[o]), 60),
        dominatorClassName: a.classNames[a.classOf[a.dominators[o]]],
        retainerCount: into.length,
        retainers: shown.map(({ e, from }) => ({
          id: s.nodeId(from),
          name: clip(nodeName(a, from)),
          className: a.classNames[a.classOf[from]],
          retainedSize: a.retainedSizes[from],
          edgeType: s.edgeTypeName(e),
          edgeName: s.edgeName(e),
        })),
      };
    }),
  };
}

/**
 * The first `count` of positions 0 … n-1 in the total order `compare` defines (negative: x comes first), in that
 * order: what sorting them all and keeping the head gives, in one pass.
 */
function firstInOrder(n: number, count: number, compare: (x: number, y: number) => number): number[] {
  const head: number[] = [];
  for (let x = 0; x < n; x++) {
    if (head.length === count && compare(x, head[count - 1]) >= 0) continue;
    let lo = 0;
    let hi = head.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(head[mid], x) < 0) lo = mid + 1;
      else hi = mid;
    }
    head.splice(lo, 0, x);
    if (head.length > count) head.pop();
  }
  return head;
}
