// After the leaky sender died: its near-heap-limit dump, checked, analysed as `heapwatch run` does, and the
// HTML report written next to it.
import { statSync } from 'node:fs';
import type { AnalysisReport } from '../../report/analysis-report.js';
import type { LeakFindings, SuspectJson } from '../../report/leak-findings.js';
import type { RunDump } from '../run/post-mortem.js';

export interface DumpCheck {
  path: string;
  size: number;
  reason: string;
  complete: boolean;
  problem: string | null;
  /** File mode bits, e.g. 0o600. */
  mode: number;
}

export interface DumpAnalysis {
  nodeCount: number;
  edgeCount: number;
  totalSize: number;
  suspects: SuspectJson[];
  htmlReport: string;
  /** `heapwatch run`'s text: the totals and the top suspect. */
  text: string;
}

/** The dumps, diagnostic reports and heap profiles the sender left (collectLeftovers: renamed, retained, tail-checked), with their file modes. */
export async function findDumps(
  dir: string,
  since: number,
  maxDumps: number,
  script: string,
): Promise<{ dumps: DumpCheck[]; reports: string[]; profiles: string[] }> {
  const { collectLeftovers } = await import('../run/post-mortem.js');
  const { appNameOf } = await import('../../guard/config.cjs');
  const left = collectLeftovers(dir, since, maxDumps, appNameOf(script));
  const dumps = left.dumps.map((d: RunDump) => ({
    path: d.path,
    size: d.size,
    reason: d.reason,
    complete: d.complete,
    problem: d.problem ?? null,
    mode: statSync(d.path).mode & 0o777,
  }));
  return { dumps, reports: left.reports, profiles: left.profiles };
}

/** Reads the whole dump (a bad one is a HeapwatchError naming file and byte offset) and finds the suspects. */
export async function analyseDump(path: string): Promise<DumpAnalysis> {
  const { loadAnalysis } = await import('../commands/analysis-loader.js');
  const { buildAnalysisReport } = await import('../../report/analysis-report.js');
  const { addLeakFindings, writeHtmlReport } = await import('../../report/leak-report.js');
  const { suspectsText } = await import('../../report/leak-text.js');
  const { renderAnalysisText, totalsSection } = await import('../../report/analysis-text.js');
  const heap = await loadAnalysis(path, { rootPaths: true });
  const report: AnalysisReport = buildAnalysisReport(path, heap, 10);
  const findings: LeakFindings = await addLeakFindings(report, heap);
  const htmlReport = path.replace(/\.heapsnapshot$/, '.html');
  await writeHtmlReport(htmlReport, report, heap);
  const top = findings.suspects.slice(0, 1);
  const more = findings.suspects.length - top.length;
  const text =
    renderAnalysisText(report, [totalsSection, () => suspectsText(top)]).trimEnd() +
    (more > 0 ? `\n  (${more} more in the HTML report)` : '');
  return {
    nodeCount: report.snapshot.nodeCount,
    edgeCount: report.snapshot.edgeCount,
    totalSize: report.snapshot.totalSize,
    suspects: findings.suspects,
    htmlReport,
    text,
  };
}
