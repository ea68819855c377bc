import type { Command } from 'commander';
import type { ContextScanRequest } from '../../analysis/waste/context-scan.js';
import type { WastePrework } from '../../analysis/waste/index.js';
import { exitWhenFlushed } from '../exit-when-flushed.js';
import { type IndexFlags, loadAnalysis, positiveInt, withIndexOptions } from './analysis-loader.js';

type WasteReport = typeof import('../../report/waste-report.js');

interface AnalyzeOptions extends IndexFlags {
  top: string;
  json?: boolean;
  html?: string;
  suspects: boolean;
  redact?: boolean;
}

export function register(program: Command): void {
  withIndexOptions(program.command('analyze'))
    .description(
      'MAT-style offline analysis of a .heapsnapshot: leak suspects, totals, biggest objects (dominator tree), class histogram, duplicate strings, waste',
    )
    .argument('<file>', 'a .heapsnapshot file')
    .option('--top <n>', 'rows of biggest objects, of classes and of duplicate strings', '20')
    .option('--json', 'print one JSON document (schema heapwatch/analysis@1)')
    .option('--html <out.html>', 'also write a self-contained HTML report to this file')
    .option('--redact', 'print no string values: strings and data-carrying names replaced as `heapwatch redact` does')
    .option('--no-suspects', 'skip leak suspects, paths, duplicate strings and waste (faster)')
    .action(async (file: string, opts: AnalyzeOptions) => {
      const top = positiveInt(opts.top, '--top');
      if (opts.html !== undefined) {
        const { checkOutputFile } = await import('../outputs.js');
        await checkOutputFile(opts.html, '--html');
      }
      // the leak and waste reports' modules load while the snapshot is read and analysed (this thread waits on
      // the other threads at times), not after
      const leaksModule = opts.suspects || opts.html ? import('../../report/leak-report.js') : null;
      const wasteModule = leaksModule ? import('../../report/waste-report.js') : null;
      // awaited below, or never when the analysis fails
      for (const loading of [leaksModule, wasteModule]) loading?.catch(() => {});
      // the waste checks' first steps while the engine's thread waits for the other thread's dominators, once
      // their module is loaded (else they run with the rest below)
      const early: { waste?: WasteReport; prework?: WastePrework; scan?: ContextScanRequest } = {};
      wasteModule?.then((m) => {
        early.waste = m;
      });
      const analysis = await loadAnalysis(file, {
        rootPaths: opts.suspects || opts.html !== undefined,
        treeWalk: true,
        redact: opts.redact,
        index: opts,
        whileWaiting: (a) => {
          early.prework = early.waste?.prepareWasteFindings(a);
          if (early.prework) early.scan = early.waste?.contextScanRequest(a, early.prework);
        },
        // the unused-context check's scan of every closure, for the worker thread at the end (see context-scan.ts)
        contextScan: () => early.scan ?? null,
      });
      const { buildAnalysisReport } = await import('../../report/analysis-report.js');
      const { prepareTreeTotals } = await import('../../analysis/histogram.js');
      const leaks = leaksModule ? await leaksModule : null;
      const wasted = wasteModule ? await wasteModule : null;
      // the waste checks need neither paths nor the histogram: they run while the worker thread searches the
      // paths, and so does what the suspects can do ahead; then this thread walks its share of the dominator tree
      // for the histogram while the worker walks the rest (nothing before that sorts the tree's children, as the
      // worker reads them)
      const wasteFound = wasted ? wasted.wasteFindings(analysis, early.prework) : null;
      leaks?.prepareLeakFindings(analysis);
      await prepareTreeTotals(analysis);
      const report = buildAnalysisReport(file, analysis, top);
      const findings = leaks ? await leaks.addLeakFindings(report, analysis, top) : null;
      const waste = wasted && wasteFound ? await wasted.addWaste(report, analysis, wasteFound) : null;
      if (opts.html && leaks) await leaks.writeHtmlReport(opts.html, report, analysis);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(report)}\n`);
      } else {
        const { renderAnalysisText, defaultSections } = await import('../../report/analysis-text.js');
        let sections = findings && leaks ? leaks.withLeakSections(defaultSections, findings) : defaultSections;
        if (wasted && waste) sections = wasted.withWasteSection(sections, waste);
        process.stdout.write(renderAnalysisText(report, sections));
        if (opts.html) process.stderr.write(`heapwatch: HTML report written to ${opts.html}\n`);
      }
      exitWhenFlushed();
    });
}
