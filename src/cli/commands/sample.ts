import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { formatBytes } from '../../format.js';
import {
  INSPECTOR_HELP,
  noticeOnStderr,
  parseCount,
  parseDuration,
  TARGET_HELP,
  TIMEOUT_HELP,
} from './live-options.js';

interface SampleOptions {
  duration?: string;
  intervalBytes?: string;
  includeCollected?: boolean;
  every?: string;
  count?: string;
  output?: string;
  from?: string;
  json?: boolean;
  html?: string;
  inspector?: boolean;
  timeout: string;
}

const DEFAULT_DURATION_MS = 30_000;
const DEFAULT_GROWTH_COUNT = 4;
const MIN_INTERVAL = 64;
const MAX_INTERVAL = 1024 * 1024 * 1024;

function parseIntervalBytes(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < MIN_INTERVAL || n > MAX_INTERVAL) {
    throw usageError(
      `--interval-bytes must be a whole number of bytes from ${MIN_INTERVAL} to ${MAX_INTERVAL}, got: ${text}`,
    );
  }
  return n;
}

export function register(program: Command): void {
  program
    .command('sample')
    .description(
      "which code allocated the memory: V8's sampling heap profiler on a live process (no heap dump), live bytes by allocation site",
    )
    .argument('[target]', TARGET_HELP)
    .option(
      '--duration <time>',
      'how long to sample: 500ms, 30s, 2m (default 30s; Ctrl-C ends early and still reports)',
    )
    .option(
      '--interval-bytes <n>',
      "average bytes between samples (V8's default 32768; smaller: more detail, more cost)",
    )
    .option(
      '--include-collected',
      'also count objects the GC collected since: allocation churn / GC pressure, not leaks',
    )
    .option('--every <time>', 'growth mode: read a profile every <time> without restarting sampling')
    .option('--count <n>', `growth mode: how many profiles to read (default ${DEFAULT_GROWTH_COUNT}, at least 2)`)
    .option(
      '-o, --output <file.heapprofile>',
      "also write the profile in V8's format (Chrome DevTools: Memory › Load profile)",
    )
    .option(
      '--from <file.heapprofile>',
      'report on a saved profile (sample -o, DevTools "Save profile") instead of a process',
    )
    .option('--json', 'print one JSON document (schema heapwatch/sample@1)')
    .option('--html <out.html>', 'also write a self-contained HTML report: flame graph and bottom-up table')
    .option('--inspector', INSPECTOR_HELP)
    .option('--timeout <ms>', TIMEOUT_HELP, '10000')
    .action(async (target: string | undefined, opts: SampleOptions) => {
      // every option checked before anything is attached or read
      if ((target === undefined) === (opts.from === undefined)) {
        throw usageError('sample needs either a target (pid, host:port, ws://) or --from <file.heapprofile>, not both');
      }
      if (opts.from !== undefined) {
        const liveOnly = (
          ['duration', 'intervalBytes', 'includeCollected', 'every', 'count', 'inspector'] as const
        ).find((k) => opts[k] !== undefined);
        if (liveOnly) {
          const flag = `--${liveOnly.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
          throw usageError(`${flag} samples a live process; it cannot be used with --from`);
        }
      }
      if (opts.every === undefined && opts.count !== undefined) throw usageError('--count needs --every (growth mode)');
      if (opts.every !== undefined && opts.duration !== undefined) {
        throw usageError('--duration and --every cannot be used together (growth mode lasts --every × --count)');
      }
      const durationMs = opts.duration !== undefined ? parseDuration(opts.duration, '--duration') : DEFAULT_DURATION_MS;
      const intervalBytes = opts.intervalBytes !== undefined ? parseIntervalBytes(opts.intervalBytes) : 32 * 1024;
      const everyMs = opts.every !== undefined ? parseDuration(opts.every, '--every') : undefined;
      const count = opts.count !== undefined ? parseCount(opts.count, '--count') : DEFAULT_GROWTH_COUNT;
      if (everyMs !== undefined && count < 2) throw usageError('--count must be at least 2: growth compares profiles');
      const timeoutMs = parseDuration(opts.timeout, '--timeout');
      const { outputProblem } = await import('../../guard/safe-file.cjs');
      for (const out of [opts.output, opts.html]) {
        const problem = out === undefined ? null : await outputProblem(out);
        if (problem) throw usageError(`cannot write ${problem}`);
      }
      if (opts.output !== undefined && opts.output === opts.html) throw usageError('-o and --html name the same file');

      const { buildSampleReport } = await import('../../sample/report.js');
      const { writeFileAtomic } = await import('../../report/write-file.js');
      let report: ReturnType<typeof buildSampleReport>;
      let profile: import('../../sample/profile.js').HeapProfile;
      if (opts.from !== undefined) {
        const { readHeapProfile } = await import('../../sample/reader.js');
        profile = readHeapProfile(opts.from);
        const m = profile.heapwatch;
        report = buildSampleReport(profile, {
          target: m?.target ?? null,
          file: opts.from,
          durationMs: m?.durationMs ?? null,
          intervalBytes: m?.intervalBytes ?? null,
          includeCollected: m?.includeCollected ?? false,
          targetExited: m?.targetExited ?? false,
        });
      } else {
        const { sampleTarget } = await import('../../sample/capture.js');
        const t = target as string;
        const growth = everyMs !== undefined;
        const result = await sampleTarget(
          t,
          { timeoutMs, inspector: opts.inspector, notice: noticeOnStderr },
          {
            durationMs,
            intervalBytes,
            includeCollected: Boolean(opts.includeCollected),
            everyMs,
            count,
            onStarted: (pid, via) => {
              const span = growth
                ? `${count} profiles ${((everyMs as number) / 1000).toFixed(1)} s apart`
                : `${(durationMs / 1000).toFixed(1)} s`;
              const how = via === 'socket' ? "the guard's socket (no inspector opened)" : 'the inspector';
              process.stderr.write(
                `heapwatch: sampling process ${pid} for ${span} over ${how}: V8 records a stack trace for about one allocation per ` +
                  `${formatBytes(intervalBytes)} allocated (a small CPU cost, no heap dump, no pause); Ctrl-C ends early and still reports\n`,
              );
            },
          },
        );
        for (const line of result.notices) noticeOnStderr(line);
        const meta = {
          target: `process ${result.pid}`,
          durationMs: result.durationMs,
          intervalBytes,
          includeCollected: Boolean(opts.includeCollected),
          targetExited: result.targetExited,
        };
        report = buildSampleReport(result.profile, meta, growth ? result.series : undefined);
        profile = { ...result.profile, heapwatch: meta };
      }
      if (opts.output !== undefined) await writeFileAtomic(opts.output, JSON.stringify(profile));
      if (opts.html !== undefined) {
        const { renderSampleHtml } = await import('../../sample/html.js');
        await writeFileAtomic(opts.html, renderSampleHtml(report, profile));
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else {
        const { renderSampleText } = await import('../../sample/text.js');
        process.stdout.write(renderSampleText(report));
      }
    });
}
