import { classHistogram } from '../analysis/histogram.js';
import { nodeName } from '../analysis/index.js';
import { topObjects } from '../analysis/overview.js';
import type { ClassRow, HeapAnalysis } from '../analysis/types.js';
import { clip, type NodeRow, nodeRow } from './node-row.js';

/** `heapwatch analyze --json`: later parts add fields (suspects, duplicate strings, …), never rename these. */
export interface AnalysisReport {
  schema: 'heapwatch/analysis@1';
  snapshot: { path: string; nodeCount: number; edgeCount: number; totalSize: number };
  /** The biggest objects at the top of the dominator tree, with the funnels they were found under. */
  dominators: (NodeRow & { via: string[] })[];
  /** The funnels opened to get there (global objects, GC roots, contexts), biggest first. */
  funnels: NodeRow[];
  histogram: ClassRow[];
}

export function buildAnalysisReport(path: string, a: HeapAnalysis, limit: number): AnalysisReport {
  const s = a.snapshot;
  const top = topObjects(a, limit);
  return {
    schema: 'heapwatch/analysis@1',
    snapshot: { path, nodeCount: s.nodeCount, edgeCount: s.edgeCount, totalSize: a.totalSize },
    dominators: top.objects.map(({ node, via }) => ({
      ...nodeRow(a, node),
      via: via.map((f) => `${clip(nodeName(a, f), 60)} @${s.nodeId(f)}`),
    })),
    funnels: top.funnels.map((f) => nodeRow(a, f)),
    histogram: classHistogram(a, 'retained').slice(0, limit),
  };
}
