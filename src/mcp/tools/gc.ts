import { z } from 'zod';
import { sampleGc } from '../../live/gc-samples.js';
import { gcRowJson } from '../../live/gc-table.js';
import { withLive } from '../../live/live-target.js';
import { checkLiveTarget } from '../live-targets.js';
import { progressFor } from '../progress.js';
import { defineTool } from '../tool.js';
import { count } from './shared.js';

export const targetParam = z
  .string()
  .min(1)
  .describe("pid of a Node.js process of the server's user, or host:port / ws:// URL of its inspector on loopback");

export const gcTool = defineTool({
  name: 'gc',
  title: 'Heap and GC samples of a live process',
  description:
    'jstat -gc for Node: heap spaces and GC counts/times of a live process, one sample per interval, as the NDJSON ' +
    'lines of `heapwatch gc --json` (schema heapwatch/gc@1, one document per line). Cost to the target: opens its ' +
    "guard's private socket when it runs heapwatch/register, otherwise its inspector (SIGUSR1) on loopback, one small " +
    'evaluation per sample, closed again after. Only ' +
    "processes of the server's own user.",
  input: {
    target: targetParam,
    samples: count(1, 60, 3, 'samples'),
    intervalMs: count(100, 10_000, 1000, 'ms between samples'),
    timeoutMs: count(1000, 60_000, 10_000, 'ms to wait for the inspector to open or answer'),
  },
  readOnly: false,
  async run({ target, samples, intervalMs, timeoutMs }, _ctx, extra) {
    const spec = checkLiveTarget(target);
    const lines: unknown[] = [];
    const progress = progressFor(extra, 'gc'); // a sample per interval: long runs keep the client informed
    await withLive(spec, { timeoutMs }, (live) =>
      sampleGc(live, { intervalMs, count: samples }, (row, sample) => {
        lines.push(gcRowJson(row, sample));
        progress?.(lines.length / samples, `${lines.length} of ${samples} samples`);
        return !extra.signal.aborted; // the client cancelled: stop sampling and detach
      }),
    );
    return { document: lines, ndjson: lines };
  },
});
