import { z } from 'zod';
import { buildHistoReport } from '../../report/histo-report.js';
import { defineTool } from '../tool.js';
import { answerFor, count, fileParam } from './shared.js';

export const histogramTool = defineTool({
  name: 'histogram',
  title: 'Class histogram',
  description:
    "Objects per class of a .heapsnapshot (count, shallow size, retained size by DevTools' rule), as `heapwatch " +
    'histo --json` (schema heapwatch/histo@1); classCount and objectCount cover all classes.',
  input: {
    file: fileParam,
    sort: z.enum(['retained', 'shallow', 'count']).default('retained').describe('order of the rows (default retained)'),
    top: count(1, 1000, 30, 'classes listed'),
  },
  readOnly: true,
  async run({ file: path, sort, top }, ctx, extra) {
    return answerFor(ctx, path, extra, (file, entry) => buildHistoReport(file, entry.analysis, sort, top));
  },
});
