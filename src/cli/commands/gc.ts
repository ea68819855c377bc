import type { Command } from 'commander';
import { parseCount, parseDuration, TARGET_HELP, TIMEOUT_HELP } from './live-options.js';

interface GcOptions {
  timestamp?: boolean;
  json?: boolean;
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
    .option('--timeout <ms>', TIMEOUT_HELP, '10000')
    .action(
      async (target: string, intervalText: string | undefined, countText: string | undefined, opts: GcOptions) => {
        const intervalMs = intervalText === undefined ? 1000 : parseDuration(intervalText, 'interval');
        const count = countText === undefined ? Number.POSITIVE_INFINITY : parseCount(countText, 'count');
        const timeoutMs = parseDuration(opts.timeout, '--timeout');
        const { withSession } = await import('../../live/session.js');
        const { startSampler } = await import('../../live/sampler.js');
        const { GcCounters, formatGcHeader, formatGcRow, gcRowJson } = await import('../../live/gc-table.js');

        let stdoutClosed = false;
        process.stdout.on('error', () => {
          stdoutClosed = true; // e.g. `heapwatch gc 123 | head`: stop quietly
        });

        await withSession(target, { timeoutMs }, async (session) => {
          const start = Date.now();
          const sampler = await startSampler(session, { intervalMs });
          const counters = new GcCounters(start);
          for (let i = 0; i < count && !stdoutClosed; i++) {
            if (i > 0) {
              const wait = start + i * intervalMs - Date.now();
              if (wait > 0) await new Promise((r) => setTimeout(r, wait));
            }
            const sample = await sampler.sample();
            const row = counters.add(sample);
            if (opts.json) {
              process.stdout.write(`${JSON.stringify(gcRowJson(row, sample))}\n`);
            } else {
              if (i % HEADER_EVERY === 0) process.stdout.write(`${formatGcHeader(Boolean(opts.timestamp))}\n`);
              process.stdout.write(`${formatGcRow(row, Boolean(opts.timestamp))}\n`);
            }
          }
        });
      },
    );
}
