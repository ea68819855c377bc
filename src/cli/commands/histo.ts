import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { exitWhenFlushed } from '../exit-when-flushed.js';
import { type IndexFlags, loadAnalysis, positiveInt, withIndexOptions } from './analysis-loader.js';
import { INSPECTOR_HELP, noticeOnStderr } from './live-options.js';

interface HistoOptions extends IndexFlags {
  top?: string;
  sort: string;
  json?: boolean;
  inspector?: boolean;
}

const SORTS = ['shallow', 'retained', 'count'] as const;

export function register(program: Command): void {
  withIndexOptions(program.command('histo'))
    .description(
      'jmap -histo for Node: objects per class (count, shallow, retained) of a .heapsnapshot or a live process',
    )
    .argument(
      '<file|target>',
      'a .heapsnapshot file, or a live pid, host:port or ws:// URL to dump first (like jmap -histo)',
    )
    .option('--top <n>', 'only the first n classes')
    .option('--sort <key>', `order by ${SORTS.join(', ')}`, 'shallow')
    .option('--json', 'print one JSON document (schema heapwatch/histo@1)')
    .option('--inspector', `live target: ${INSPECTOR_HELP}`)
    .action(async (file: string, opts: HistoOptions) => {
      const sort = SORTS.find((k) => k === opts.sort);
      if (!sort) {
        throw usageError(`--sort must be one of ${SORTS.join(', ')}, not "${opts.sort}"`);
      }
      const top = opts.top === undefined ? Number.POSITIVE_INFINITY : positiveInt(opts.top, '--top');
      const { withLiveSnapshot } = await import('../../live/temp-dump.js');
      // a live target's temporary dump is not worth an index
      const analysis = await withLiveSnapshot(file, (f) => loadAnalysis(f, { index: f === file ? opts : undefined }), {
        inspector: opts.inspector,
        notice: noticeOnStderr,
      });
      const { buildHistoReport } = await import('../../report/histo-report.js');
      const report = buildHistoReport(file, analysis, sort, top);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(report)}\n`);
      } else {
        const { renderHistoText } = await import('../../report/histogram-text.js');
        process.stdout.write(renderHistoText(report));
      }
      exitWhenFlushed();
    });
}
