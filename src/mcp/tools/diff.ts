import { z } from 'zod';
import { buildDiffReport } from '../../report/diff-build.js';
import { readSnapshot } from '../../snapshot/reader.js';
import type { CacheAnswer } from '../analysis-cache.js';
import { progressFor } from '../progress.js';
import { defineTool } from '../tool.js';
import { count, fileParam } from './shared.js';

export const diffTool = defineTool({
  name: 'diff',
  title: 'Compare snapshots',
  description:
    'Compares snapshots of one process, as `heapwatch diff --json` (schema heapwatch/diff@1). Two files (before, ' +
    'after): growth per class, largest first. Three (before, after, final): the objects created between the first ' +
    "two that are still alive in the third, grouped by class and retainer path (memlab's method). Rows are cut to " +
    '`top`; the totals cover everything.',
  input: {
    files: z.array(fileParam).min(2).max(3).describe('2 or 3 .heapsnapshot files of the same process, oldest first'),
    top: count(1, 200, 20, 'rows listed'),
  },
  readOnly: true,
  async run({ files: paths, top }, ctx, extra) {
    const files = paths.map((p) => ctx.folders.inputFile(p));
    const used: { file: string; answer: CacheAnswer }[] = [];
    const progress = progressFor(extra, 'diff');
    let done = 0; // files read or loaded so far: one progress bar over all of them
    const part = (step: string) => (f: number) => progress?.((done + f) / files.length, step);
    const load = async (file: string) => {
      const answer = await ctx.cache.get(file, progress && ((f, step) => part(step)(f)));
      done++;
      used.push({ file, answer });
      return answer.entry.analysis;
    };
    // the first two of three only give their ids: read, not analyzed
    const read = async (file: string) => {
      const snapshot = await readSnapshot(file, { onProgress: progress && part('reading') });
      done++;
      return snapshot;
    };
    const report = await buildDiffReport(files, load, read);
    if (report.classes) report.classes = report.classes.slice(0, top);
    if (report.leaks) report.leaks = report.leaks.slice(0, top);
    return { document: report, files: used };
  },
});
