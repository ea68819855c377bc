import type { HeapAnalysis } from '../analysis/types.js';
import type { AnalysisReport } from './analysis-report.js';
import type { TextSection } from './analysis-text.js';
import { buildLeakFindings, type LeakFindings } from './leak-findings.js';
import { duplicateStringsText, suspectsText } from './leak-text.js';

/** Adds "suspects" and "duplicateStrings" (`top` rows) to analyze's report and returns them. */
export async function addLeakFindings(report: AnalysisReport, a: HeapAnalysis, top = 20): Promise<LeakFindings> {
  const rootPaths = (await a.backgroundRootPaths()) ?? undefined;
  const findings = buildLeakFindings(a, { strings: top, rootPaths });
  Object.assign(report, findings);
  return findings;
}

/** analyze's text: the suspects first, the duplicate strings last. */
export function withLeakSections(sections: TextSection[], findings: LeakFindings): TextSection[] {
  return [() => suspectsText(findings.suspects), ...sections, () => duplicateStringsText(findings.duplicateStrings)];
}

/** Writes the HTML report (to a temporary name, renamed when complete; mode 0600: it holds heap contents). */
export async function writeHtmlReport(out: string, report: AnalysisReport, a: HeapAnalysis): Promise<void> {
  const { renderHtmlReport } = await import('./html.js');
  const { writeFileAtomic } = await import('./write-file.js');
  await writeFileAtomic(out, renderHtmlReport(report as AnalysisReport & LeakFindings, a));
}
