import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { exitWhenFlushed } from '../exit-when-flushed.js';
import { loadAnalysis, positiveInt } from './analysis-loader.js';

interface DiffOptions {
  top: string;
  json?: boolean;
  failOnGrowth?: string;
}

export function register(program: Command): void {
  program
    .command('diff')
    .description(
      'compare snapshots: two → per-class growth; three (before, after, final) → objects created between the first two that are still alive in the third, grouped by class and retainer path',
    )
    .argument('<before>', 'the first .heapsnapshot')
    .argument('<after>', 'a later .heapsnapshot of the same process')
    .argument('[final]', 'a third, later still: switches to the leak list (memlab method)')
    .option('--top <n>', 'rows shown', '20')
    .option('--fail-on-growth <bytes>', 'exit 1 when growth exceeds this (2 snapshots: total heap; 3: leaked size)')
    .option('--json', 'print one JSON document (schema heapwatch/diff@1)')
    .action(async (before: string, after: string, final: string | undefined, opts: DiffOptions) => {
      const top = positiveInt(opts.top, '--top');
      let bound: number | undefined;
      if (opts.failOnGrowth !== undefined) {
        bound = Number(opts.failOnGrowth);
        if (!Number.isFinite(bound) || bound < 0 || opts.failOnGrowth.trim() === '') {
          throw usageError(`--fail-on-growth must be a number of bytes, not "${opts.failOnGrowth}"`);
        }
      }
      const { buildDiffReport } = await import('../../report/diff-build.js');
      const { loadSnapshot } = await import('../load-snapshot.js');
      const files = final ? [before, after, final] : [before, after];
      const report = await buildDiffReport(files, loadAnalysis, (file) => loadSnapshot(file));
      if (opts.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else {
        const { renderDiffText } = await import('../../report/diff-report.js');
        process.stdout.write(renderDiffText(report, top));
      }
      if (bound !== undefined && report.growth > bound) {
        process.stderr.write(`heapwatch: growth ${report.growth} bytes is over the bound of ${bound} bytes\n`);
        process.exitCode = 1;
      }
      exitWhenFlushed();
    });
}
