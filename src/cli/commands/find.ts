import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { exitWhenFlushed } from '../exit-when-flushed.js';
import { type IndexFlags, loadAnalysis, positiveInt, snapshotCommand } from './analysis-loader.js';

interface FindOptions extends IndexFlags {
  class?: string;
  name?: string;
  n: string;
  json?: boolean;
}

export function register(program: Command): void {
  snapshotCommand(program, 'find')
    .description('objects of a class, or the objects a property or variable of that name holds, biggest retained first')
    .option('--class <name>', 'a class name, exactly as `histo` shows it (Session, Map, (closure), {a, b})')
    .option('--name <name>', 'a property or variable name (sessionCache): the objects references of that name hold')
    .option('-n <count>', 'how many objects to list', '20')
    .option('--json', 'print one JSON document (schema heapwatch/find@1, as the MCP tool `find`)')
    .action(async (file: string, opts: FindOptions) => {
      if ((opts.class === undefined) === (opts.name === undefined)) {
        throw usageError('find needs exactly one of --class <name> and --name <name>');
      }
      const limit = positiveInt(opts.n, '-n');
      const analysis = await loadAnalysis(file, { index: opts });
      const query = opts.class !== undefined ? { className: opts.class } : { name: opts.name as string };
      // never more rows than objects: the finder keeps `limit` slots
      const { buildFindReport } = await import('../../report/find-report.js');
      const report = buildFindReport(file, analysis, query, Math.min(limit, analysis.snapshot.nodeCount));
      const { renderFindText } = await import('../../report/find-text.js');
      process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : renderFindText(report));
      exitWhenFlushed();
    });
}
