import type { Command } from 'commander';
import { exitWhenFlushed } from '../exit-when-flushed.js';
import { answerFromAnalysis, type IndexFlags, parseNodeId, positiveInt, snapshotCommand } from './analysis-loader.js';

interface NodeOptions extends IndexFlags {
  retainers: string;
  json?: boolean;
}

export function register(program: Command): void {
  snapshotCommand(program, 'node')
    .description('objects by id from a .heapsnapshot: class, self and retained size, dominator, immediate retainers')
    .argument('<id...>', 'node ids (as DevTools shows them after @), any number of them')
    .option('--retainers <n>', 'retainers listed per object', '20')
    .option('--json', 'print one JSON document (schema heapwatch/nodes@1)')
    .action(async (file: string, idArgs: string[], opts: NodeOptions) => {
      const maxRetainers = positiveInt(opts.retainers, '--retainers');
      const ids = idArgs.map(parseNodeId);
      const { buildNodesReport } = await import('../../report/nodes-report.js');
      // from the saved analysis, reading only the blocks these objects need
      const report = await answerFromAnalysis(file, opts, (analysis, queries) =>
        buildNodesReport(file, analysis, ids, maxRetainers, queries),
      );
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(report)}\n`);
      } else {
        const { renderNodesText } = await import('../../report/nodes-text.js');
        process.stdout.write(renderNodesText(report));
      }
      exitWhenFlushed();
    });
}
