import { duplicateStrings } from '../analysis/strings.js';
import { prepareSuspects } from '../analysis/suspects.js';
import type { HeapAnalysis } from '../analysis/types.js';
import type { AnalysisReport } from './analysis-report.js';
import type { TextSection } from './analysis-text.js';
import { type LeakFindings, suspectsJson } from './leak-findings.js';
import { duplicateStringsText, suspectsText } from './leak-text.js';

/** What the leak findings can work out before the histogram's walk and the paths (see prepareSuspects). */
export function prepareLeakFindings(a: HeapAnalysis): void {
  prepareSuspects(a);
}

/** Adds "suspects" and "duplicateStrings" (`top` rows) to analyze's report and returns them. */
export async function addLeakFindings(report: AnalysisReport, a: HeapAnalysis, top = 20): Promise<LeakFindings> {
  // each background result awaited only where it is needed: the string copies come after the paths
  const suspects = suspectsJson(a, (await a.backgroundRootPaths()) ?? undefined);
  const copies = (await a.backgroundStringCopies()) ?? undefined;
  const findings: LeakFindings = { suspects, duplicateStrings: duplicateStrings(a, top, copies) };
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
