import { classDiff, leakedGroups, sortedIds } from '../analysis/diff.js';
import { classHistogram } from '../analysis/histogram.js';
import type { HeapAnalysis } from '../analysis/types.js';
import type { HeapSnapshot } from '../snapshot/snapshot.js';
import { type DiffReport, type DiffSnapshot, leakRows } from './diff-report.js';

/**
 * Loads the snapshots one after the other, keeping only what the diff needs of the earlier ones (their
 * histogram, or their sorted ids), so at most one analysis is in memory at a time.
 */
export async function buildDiffReport(
  files: string[],
  load: (file: string, opts?: { rootPaths?: boolean }) => Promise<HeapAnalysis>,
  read: (file: string) => Promise<HeapSnapshot>,
): Promise<DiffReport> {
  const snapshots: DiffSnapshot[] = [];
  const summary = (file: string, a: HeapAnalysis): DiffSnapshot => ({
    path: file,
    nodeCount: a.snapshot.nodeCount,
    totalSize: a.totalSize,
  });
  if (files.length === 2) {
    // one analysis at a time: the first one's histogram is all that is kept of it
    const histogramOf = async (file: string) => {
      const a = await load(file);
      snapshots.push(summary(file, a));
      return classHistogram(a, 'retained');
    };
    const before = await histogramOf(files[0]);
    const classes = classDiff(before, await histogramOf(files[1]));
    const totalGrowth = snapshots[1].totalSize - snapshots[0].totalSize;
    return { schema: 'heapwatch/diff@1', snapshots, totalGrowth, growth: totalGrowth, classes };
  }
  // the first two only contribute their ids: read, not analyzed
  const ids: Uint32Array[] = [];
  for (const file of files.slice(0, 2)) {
    const snapshot = await read(file);
    snapshots.push({ path: file, nodeCount: snapshot.nodeCount, totalSize: totalSelfSize(snapshot) });
    ids.push(sortedIds(snapshot));
  }
  const [firstIds, secondIds] = ids;
  // the leaked objects' paths are searched on the analysis's second thread while it finishes
  const a = await load(files[2], { rootPaths: true });
  snapshots.push(summary(files[2], a));
  const groups = leakedGroups(a, firstIds, secondIds, (await a.backgroundRootPaths()) ?? undefined);
  const leakedSize = groups.reduce((sum, g) => sum + g.retainedSize, 0);
  return {
    schema: 'heapwatch/diff@1',
    snapshots,
    totalGrowth: snapshots[2].totalSize - snapshots[0].totalSize,
    growth: leakedSize,
    leaks: leakRows(a, groups),
    leakedSize,
  };
}

/** The heap's total as DevTools shows it (folding moves self sizes between nodes, the sum stays). */
function totalSelfSize(s: HeapSnapshot): number {
  const { nodes, nodeFieldCount: nf } = s;
  const off = s.nodeSelfSizeOffset;
  let total = 0;
  for (let i = off; i < nodes.length; i += nf) total += nodes[i];
  // sizes over 2^32-1 (their records hold 0xffffffff) count in full
  const big = s.bigSelfSizes;
  if (big) for (let k = 0; k < big.sizes.length; k++) total += big.sizes[k] - 0xffffffff;
  return total;
}
