import type { Command } from 'commander';
import {
  INSPECTOR_HELP,
  noticeOnStderr,
  parseCount,
  parseDuration,
  TARGET_HELP,
  TIMEOUT_HELP,
} from './live-options.js';

interface GcOptions {
  timestamp?: boolean;
  json?: boolean;
  inspector?: boolean;
  timeout: string;
}

const HEADER_EVERY = 20;

export function register(program: Command): void {
  program
    .command('gc')
    .description('jstat -gc for Node: heap spaces (KB) and GC counts/times of a live process, one row per interval')
    .argument('<target>', TARGET_HELP)
    .argument('[interval]', 'time between rows: 250ms, 1s, 2m, or ms (default 1s)')
    .argument('[count]', 'rows to print, then exit (default: until Ctrl-C)')
    .option('-t, --timestamp', "first column: the target's uptime in seconds")
    .option('--json', 'one JSON object per sample (NDJSON, schema heapwatch/gc@1)')
    .option('--inspector', INSPECTOR_HELP)
    .option('--timeout <ms>', TIMEOUT_HELP, '10000')
    .action(
      async (target: string, intervalText: string | undefined, countText: string | undefined, opts: GcOptions) => {
        const intervalMs = intervalText === undefined ? 1000 : parseDuration(intervalText, 'interval');
        const count = countText === undefined ? Number.POSITIVE_INFINITY : parseCount(countText, 'count');
        const timeoutMs = parseDuration(opts.timeout, '--timeout');
        const { withLive } = await import('../../live/live-target.js');
        const { sampleGc } = await import('../../live/gc-samples.js');
        const { formatGcHeader, formatGcRow, gcRowJson } = await import('../../live/gc-table.js');

        let stdoutClosed = false;
        process.stdout.on('error', () => {
          stdoutClosed = true; // e.g. `heapwatch gc 123 | head`: stop quietly
        });

        let i = 0;
        const how = { timeoutMs, inspector: opts.inspector, notice: noticeOnStderr };
        await withLive(target, how, (live) =>
          sampleGc(live, { intervalMs, count }, (row, sample) => {
            if (stdoutClosed) return false;
            if (opts.json) {
              process.stdout.write(`${JSON.stringify(gcRowJson(row, sample))}\n`);
            } else {
              if (i % HEADER_EVERY === 0) process.stdout.write(`${formatGcHeader(Boolean(opts.timestamp))}\n`);
              process.stdout.write(`${formatGcRow(row, Boolean(opts.timestamp))}\n`);
            }
            i++;
            return !stdoutClosed;
          }),
        );
      },
    );
}
