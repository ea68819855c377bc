import type { Command } from 'commander';
import { exitWhenFlushed } from '../exit-when-flushed.js';
import { type IndexFlags, loadAnalysis, parseNodeId, positiveInt, snapshotCommand } from './analysis-loader.js';

interface PathOptions extends IndexFlags {
  n: string;
  json?: boolean;
}

export function register(program: Command): void {
  snapshotCommand(program, 'path')
    .description('shortest paths from the GC roots to an object (weak references excluded), named as in the code')
    .argument('<id>', 'the node id (as DevTools shows it after @)')
    .option('-n <count>', 'how many paths, shortest first', '5')
    .option('--json', 'print one JSON document (schema heapwatch/paths@1)')
    .action(async (file: string, idArg: string, opts: PathOptions) => {
      const limit = positiveInt(opts.n, '-n');
      const id = parseNodeId(idArg);
      const analysis = await loadAnalysis(file, { index: opts });
      const { buildPathsReport, renderPathsText } = await import('../../report/paths-report.js');
      const report = buildPathsReport(file, analysis, id, limit);
      process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : renderPathsText(report));
      exitWhenFlushed();
    });
}
