import { classHistogram, type HistogramSort } from '../analysis/histogram.js';
import type { ClassRow, HeapAnalysis } from '../analysis/types.js';

/** `heapwatch histo --json`. */
export interface HistoReport {
  schema: 'heapwatch/histo@1';
  snapshot: { path: string; nodeCount: number; totalSize: number };
  sort: HistogramSort;
  /** All classes, also when fewer rows are listed. */
  classCount: number;
  /** Objects counted in all classes (those with a shown size). */
  objectCount: number;
  classes: (ClassRow & { rank: number })[];
}

export function buildHistoReport(path: string, a: HeapAnalysis, sort: HistogramSort, top: number): HistoReport {
  const all = classHistogram(a, sort);
  return {
    schema: 'heapwatch/histo@1',
    snapshot: { path, nodeCount: a.snapshot.nodeCount, totalSize: a.totalSize },
    sort,
    classCount: all.length,
    objectCount: all.reduce((n, r) => n + r.count, 0),
    classes: all.slice(0, top).map((r, i) => ({ rank: i + 1, ...r })),
  };
}
