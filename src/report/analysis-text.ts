import { formatBytes, formatCount, formatPercent, padLeft } from '../format.js';
import type { AnalysisReport } from './analysis-report.js';
import { histogramTable } from './histogram-text.js';
import { describeNode } from './node-row.js';

const MAX_FUNNELS_SHOWN = 4;

/** A section of `heapwatch analyze`'s text output; parts that add to the report add a section. */
export type TextSection = (report: AnalysisReport) => string;

export const totalsSection: TextSection = (r) =>
  [
    `${r.snapshot.path}`,
    `  nodes ${formatCount(r.snapshot.nodeCount)}, edges ${formatCount(r.snapshot.edgeCount)}, total ${formatBytes(r.snapshot.totalSize)} (sizes as Chrome DevTools shows them)`,
  ].join('\n');

export const dominatorsSection: TextSection = (r) => {
  const total = r.snapshot.totalSize || 1;
  if (r.dominators.length === 0) return 'Biggest objects: none (the snapshot holds nothing but its root)';
  const lines = [
    `Biggest objects by retained size (dominator tree; global objects, GC roots and contexts opened up)`,
    `  ${padLeft('retained', 10)} ${padLeft('%', 6)} ${padLeft('self', 10)}  object`,
  ];
  for (const d of r.dominators) {
    const via = d.via.length > 0 ? `   (in ${d.via.join(' › ')})` : '';
    lines.push(
      `  ${padLeft(formatBytes(d.retainedSize), 10)} ${padLeft(formatPercent(d.retainedSize / total), 6)} ${padLeft(formatBytes(d.selfSize), 10)}  ${describeNode(d)}${via}`,
    );
  }
  // what was opened and how much it holds: objects too small for the list still add up inside them
  const opened = r.funnels
    .slice(0, MAX_FUNNELS_SHOWN)
    .map((f) => `${describeNode(f, 40)} ${formatBytes(f.retainedSize)}`);
  if (opened.length > 0) {
    const more = r.funnels.length > MAX_FUNNELS_SHOWN ? `, and ${r.funnels.length - MAX_FUNNELS_SHOWN} more` : '';
    lines.push(`  opened: ${opened.join(', ')}${more}`);
  }
  return lines.join('\n');
};

export const histogramSection: TextSection = (r) =>
  r.histogram.length === 0
    ? 'Classes: none (no object has a size)'
    : [`Classes by retained size (top ${r.histogram.length})`, indent(histogramTable(r.histogram))].join('\n');

export const defaultSections: TextSection[] = [totalsSection, dominatorsSection, histogramSection];

export function renderAnalysisText(report: AnalysisReport, sections: TextSection[] = defaultSections): string {
  return `${sections.map((section) => section(report)).join('\n\n')}\n`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
