// After a crash: the dump analysed the way `heapwatch analyze` does it, the suspects, the HTML report beside it.
import type { AnalysisReport } from '../../report/analysis-report.js';
import { loadAnalysis } from '../commands/analysis-loader.js';

export interface DumpAnalysis {
  report: AnalysisReport;
  /** Totals and leak suspects, as text. */
  summary: string;
  htmlReport: string;
}

/** Analyses a complete dump, writes `<dump>.html` (0600) and returns the report and its text summary. */
export async function analyseDump(dumpPath: string, top: number): Promise<DumpAnalysis> {
  const { buildAnalysisReport } = await import('../../report/analysis-report.js');
  const { addLeakFindings, writeHtmlReport } = await import('../../report/leak-report.js');
  const { suspectsText } = await import('../../report/leak-text.js');
  const { renderAnalysisText, totalsSection } = await import('../../report/analysis-text.js');
  const heap = await loadAnalysis(dumpPath, { rootPaths: true });
  const report = buildAnalysisReport(dumpPath, heap, top);
  const findings = await addLeakFindings(report, heap);
  const htmlReport = dumpPath.replace(/\.heapsnapshot$/, '.html');
  await writeHtmlReport(htmlReport, report, heap);
  const summary = renderAnalysisText(report, [totalsSection, () => suspectsText(findings.suspects)]);
  return { report, summary, htmlReport };
}
