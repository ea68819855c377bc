import type { ClassDelta, LeakGroup } from '../analysis/diff.js';
import type { HeapAnalysis } from '../analysis/types.js';
import { formatBytes, formatCount, padLeft } from '../format.js';
import { type PathStepJson, pathJson } from './leak-findings.js';

/** One snapshot in a diff. */
export interface DiffSnapshot {
  path: string;
  nodeCount: number;
  totalSize: number;
}

/** `heapwatch diff --json`. */
export interface DiffReport {
  schema: 'heapwatch/diff@1';
  snapshots: DiffSnapshot[];
  /** Total heap growth, last snapshot minus first (bytes; negative when it shrank). */
  totalGrowth: number;
  /** What --fail-on-growth compares: totalGrowth with two snapshots, leakedSize with three. */
  growth: number;
  /** Two snapshots: per class, largest growth first. */
  classes?: ClassDelta[];
  /** Three snapshots: the leak list (memlab's method), biggest first. */
  leaks?: {
    className: string;
    count: number;
    retainedSize: number;
    sampleIds: number[];
    path: PathStepJson[];
    pathText: string;
  }[];
  /** Three snapshots: retained size of all leaked objects. */
  leakedSize?: number;
}

export function leakRows(a: HeapAnalysis, groups: LeakGroup[]): NonNullable<DiffReport['leaks']> {
  return groups.map((g) => ({
    className: g.className,
    count: g.count,
    retainedSize: g.retainedSize,
    sampleIds: g.sampleIds,
    ...pathJson(a, g.path),
  }));
}

function signed(bytes: number): string {
  return bytes > 0 ? `+${formatBytes(bytes)}` : bytes < 0 ? `-${formatBytes(-bytes)}` : '0 B';
}
function signedCount(n: number): string {
  return n > 0 ? `+${formatCount(n)}` : formatCount(n);
}

export function renderDiffText(r: DiffReport, top: number): string {
  const first = r.snapshots[0];
  const last = r.snapshots[r.snapshots.length - 1];
  const lines = [
    `${r.snapshots.map((s) => s.path).join(' → ')}`,
    `  total ${formatBytes(first.totalSize)} → ${formatBytes(last.totalSize)} (${signed(r.totalGrowth)}), nodes ${formatCount(first.nodeCount)} → ${formatCount(last.nodeCount)}`,
  ];
  if (r.classes) {
    const rows = r.classes.slice(0, top);
    lines.push(
      '',
      `Classes by growth (shallow size, then retained; top ${rows.length} of ${formatCount(r.classes.length)} changed)`,
    );
    lines.push(
      `  ${padLeft('Δcount', 9)} ${padLeft('Δshallow', 10)} ${padLeft('Δretained', 10)} ${padLeft('count', 9)}  class`,
    );
    for (const c of rows) {
      lines.push(
        `  ${padLeft(signedCount(c.countDelta), 9)} ${padLeft(signed(c.shallowDelta), 10)} ${padLeft(signed(c.retainedDelta), 10)} ${padLeft(formatCount(c.countAfter), 9)}  ${c.className}`,
      );
    }
  }
  if (r.leaks) {
    const rows = r.leaks.slice(0, top);
    lines.push(
      '',
      `Leaked: created between ${r.snapshots[0].path} and ${r.snapshots[1].path}, still alive in ${last.path}: ${formatBytes(r.leakedSize ?? 0)}`,
    );
    if (rows.length === 0) lines.push('  nothing');
    for (const g of rows) {
      lines.push(`  ${padLeft(formatBytes(g.retainedSize), 10)} ${padLeft(formatCount(g.count), 8)} × ${g.className}`);
      lines.push(`  ${' '.repeat(21)}${g.pathText}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
