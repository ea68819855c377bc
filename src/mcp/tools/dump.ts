import { z } from 'zod';
import { usageError } from '../../errors.js';
import { formatBytes } from '../../format.js';
import { withLive } from '../../live/live-target.js';
import { dumpReport } from '../../live/reports.js';
import { checkLiveTarget } from '../live-targets.js';
import { progressMessages } from '../progress.js';
import { defineTool } from '../tool.js';
import { targetParam } from './gc.js';
import { count } from './shared.js';

export const dumpTool = defineTool({
  name: 'dump',
  title: 'Heap dump of a live process',
  description:
    "jmap -dump for Node: writes a heap snapshot of a live process into the server's dump folder (--dump-dir; " +
    'refused without one), mode 0600, complete or not at all, as `heapwatch dump --json` (schema heapwatch/dump@1). ' +
    'Cost to the target: V8 builds the snapshot in its memory (about 8-14x its used heap) and stalls its event loop ' +
    'for the whole capture. The headroom is measured first and the dump refused when it does not fit (there is no ' +
    "force here: overriding is a human decision, `heapwatch dump --force`). Reached over the guard's private " +
    'socket when the target runs heapwatch/register (no inspector opened), else over its inspector (SIGUSR1, ' +
    'loopback, closed after). The file can then be analyzed.',
  input: {
    target: targetParam,
    name: z
      .string()
      .optional()
      .describe('file name in the dump folder (default heapdump-<pid>-<date>-<time>.heapsnapshot)'),
    gc: z.boolean().default(false).describe('collect garbage first (jmap -dump:live)'),
    stream: z
      .boolean()
      .default(false)
      .describe('stream over the inspector (opened even for a guarded target) instead of the target writing the file'),
    timeoutMs: count(1000, 60_000, 10_000, 'ms to wait for the inspector to open or answer'),
  },
  readOnly: false,
  async run({ target, name, gc, stream, timeoutMs }, ctx, extra) {
    const folder = ctx.dumpFolder;
    if (!folder) {
      throw usageError('dump is off: the server was started without --dump-dir <folder>', 'NO_DUMP_DIR');
    }
    const spec = checkLiveTarget(target);
    if (name !== undefined) await folder.output(name, 0); // a bad or taken name is refused before attaching
    const notes: string[] = [];
    const progress = progressMessages(extra);
    // the guard's socket when the target runs heapwatch/register (no inspector opened), else the inspector
    const how = { timeoutMs, inspector: stream, notice: (line: string) => notes.push(line) };
    const result = await withLive(spec, how, async (live) =>
      live.dump({
        output: await folder.output(name, live.pid),
        gc,
        stream,
        onHeadroom: (_h, message) => notes.push(message),
        onNotice: (message) => notes.push(message),
        onProgress:
          progress &&
          ((p) =>
            progress(
              p.phase === 'write'
                ? `${formatBytes(p.bytes)} written`
                : `V8 is walking the heap${p.fraction === undefined ? '' : `: ${Math.floor(p.fraction * 100)}% of nodes`}`,
            )),
      }),
    );
    return { document: dumpReport(result), notes };
  },
});
