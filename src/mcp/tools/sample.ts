import { z } from 'zod';
import { detachLiveOnSignals, openLive } from '../../live/live-target.js';
import { buildSampleReport, captureProfile } from '../../sample/index.js';
import { checkLiveTarget } from '../live-targets.js';
import { progressFor } from '../progress.js';
import { defineTool } from '../tool.js';
import { targetParam } from './gc.js';
import { count } from './shared.js';

/** How often the client hears how far sampling is. */
const PROGRESS_EVERY_MS = 1000;

export const sampleTool = defineTool({
  name: 'sample',
  title: 'Allocation sites of a live process',
  description:
    "Which code allocated the memory that is still alive: V8's sampling heap profiler on a live process for " +
    '`durationSeconds`, as `heapwatch sample --json` (schema heapwatch/sample@1): estimated live bytes by ' +
    'allocation site (function, file, line, column), biggest first, and the heaviest call paths to the top sites. ' +
    'No heap dump and no pause: V8 records a stack trace for about one allocation per `intervalBytes` allocated ' +
    '(a small CPU cost). `includeCollected` also counts what the GC has collected since (allocation churn, GC ' +
    "pressure; not leaks). Cost to the target: opens its guard's private socket when it runs heapwatch/register " +
    '(profiles of up to 20,000 call-tree nodes and 50,000 samples), otherwise its inspector (SIGUSR1, loopback), closed ' +
    "again after; only processes of the server's own user. Progress notifications while it samples.",
  input: {
    target: targetParam,
    durationSeconds: z
      .number()
      .min(0.5)
      .max(300)
      .default(10)
      .describe('how long to sample, in seconds (0.5-300, default 10)'),
    intervalBytes: count(64, 2 ** 30, 32_768, "average bytes allocated between samples (V8's default 32768)"),
    includeCollected: z
      .boolean()
      .default(false)
      .describe('also count objects the GC collected since: churn / GC pressure, not leaks (default false)'),
    top: count(1, 50, 20, 'allocation sites listed'),
    inspector: z
      .boolean()
      .default(false)
      .describe("use the target's inspector (opened) even when it runs heapwatch/register (default false)"),
    timeoutMs: count(1000, 60_000, 10_000, 'ms to wait for the inspector to open or answer'),
  },
  readOnly: false,
  async run({ target, durationSeconds, intervalBytes, includeCollected, top, inspector, timeoutMs }, _ctx, extra) {
    const spec = checkLiveTarget(target);
    const durationMs = Math.round(durationSeconds * 1000);
    const progress = progressFor(extra, 'sample');
    const notes: string[] = [];
    const live = await openLive(spec, { timeoutMs, inspector, notice: (line) => notes.push(line) });
    // the server stopped meanwhile: the target stops sampling
    const removeSignals = detachLiveOnSignals(live);
    let ticker: NodeJS.Timeout | undefined;
    try {
      const result = await captureProfile(live, {
        durationMs,
        intervalBytes,
        includeCollected,
        stop: extra.signal, // the client cancelled: stop sampling, detach
        onStarted: (pid) => {
          const started = Date.now();
          progress?.(0, `sampling process ${pid}`);
          ticker = setInterval(() => {
            const s = Math.min(durationMs, Date.now() - started) / 1000;
            // 100 % is kept for the profile read, the last step
            progress?.(Math.min(0.99, s / durationSeconds), `${Math.floor(s)} of ${durationSeconds} s`);
          }, PROGRESS_EVERY_MS);
        },
      });
      clearInterval(ticker);
      progress?.(1, 'profile read');
      notes.push(...result.notices);
      const report = buildSampleReport(result.profile, {
        target: `process ${result.pid}`,
        durationMs: result.durationMs,
        intervalBytes,
        includeCollected,
        targetExited: result.targetExited,
      });
      report.sites = report.sites.slice(0, top);
      return { document: report, notes };
    } finally {
      clearInterval(ticker);
      removeSignals();
      await live.detach();
    }
  },
});
