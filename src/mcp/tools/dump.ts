import { z } from 'zod';
import { usageError } from '../../errors.js';
import { formatBytes } from '../../format.js';
import { dumpHeap } from '../../live/capture.js';
import { dumpReport } from '../../live/reports.js';
import { withSession } from '../../live/session.js';
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
    'force here: overriding is a human decision, `heapwatch dump --force`). The file can then be analyzed.',
  input: {
    target: targetParam,
    name: z
      .string()
      .optional()
      .describe('file name in the dump folder (default heapdump-<pid>-<date>-<time>.heapsnapshot)'),
    gc: z.boolean().default(false).describe('collect garbage first (jmap -dump:live)'),
    stream: z.boolean().default(false).describe('stream over the inspector even if the target could write the file'),
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
    const result = await withSession(spec, { timeoutMs }, async (session) =>
      dumpHeap(session, {
        output: await folder.output(name, session.pid),
        gc,
        stream,
        onHeadroom: (_h, message) => notes.push(message),
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
