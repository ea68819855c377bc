import type { Command } from 'commander';
import { loadAnalysis, positiveInt } from './analysis-loader.js';

interface AnalyzeOptions {
  top: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('analyze')
    .description(
      'MAT-style offline analysis of a .heapsnapshot: totals, biggest objects (dominator tree), class histogram',
    )
    .argument('<file>', 'a .heapsnapshot file')
    .option('--top <n>', 'rows of biggest objects and of classes', '20')
    .option('--json', 'print one JSON document (schema heapwatch/analysis@1)')
    .action(async (file: string, opts: AnalyzeOptions) => {
      const top = positiveInt(opts.top, '--top');
      const analysis = await loadAnalysis(file);
      const { buildAnalysisReport } = await import('../../report/analysis-report.js');
      const report = buildAnalysisReport(file, analysis, top);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(report)}\n`);
      } else {
        const { renderAnalysisText } = await import('../../report/analysis-text.js');
        process.stdout.write(renderAnalysisText(report));
      }
    });
}
