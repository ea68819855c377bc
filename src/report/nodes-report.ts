import { edgeSource, edgesInto, ordinalsOfIds } from '../analysis/graph.js';
import { nodeName } from '../analysis/index.js';
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
 * Each requested object with its class, sizes, dominator and immediate retainers (strong ones first, then by
 * the retainer's retained size; at most `maxRetainers` each). Unknown ids are bad input: no partial answer.
 */
export function buildNodesReport(path: string, a: HeapAnalysis, ids: number[], maxRetainers: number): NodesReport {
  const s = a.snapshot;
  const ordinals = ordinalsOfIds(s, ids);
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
  const incoming = edgesInto(s, ordinals);
  const weak = s.edgeType.weak;
  return {
    schema: 'heapwatch/nodes@1',
    snapshot: { path },
    nodes: ordinals.map((o, i) => {
      const edges = incoming[i]
        .map((e) => ({ e, from: edgeSource(s, e) }))
        .sort(
          (x, y) =>
            Number(s.edgeTypeOf(x.e) === weak) - Number(s.edgeTypeOf(y.e) === weak) ||
            a.retainedSizes[y.from] - a.retainedSizes[x.from] ||
            x.e - y.e,
        );
      return {
        ...nodeRow(a, o),
        dominatorName: clip(nodeName(a, a.dominators[o]), 60),
        dominatorClassName: a.classNames[a.classOf[a.dominators[o]]],
        retainerCount: edges.length,
        retainers: edges.slice(0, maxRetainers).map(({ e, from }) => ({
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
