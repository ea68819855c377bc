import { z } from 'zod';
import { buildNodesReport } from '../../report/nodes-report.js';
import { defineTool } from '../tool.js';
import { answerFor, count, fileParam } from './shared.js';

export const nodeTool = defineTool({
  name: 'node',
  title: 'Objects by id',
  description:
    'Objects of a .heapsnapshot by node id (the number DevTools shows after @, and the `id` fields of the other ' +
    'tools): class, self and retained size, dominator, and immediate retainers, strong ones first, as `heapwatch ' +
    'node --json` (schema heapwatch/nodes@1). An unknown id is an error.',
  input: {
    file: fileParam,
    ids: z.array(z.number().int().min(0)).min(1).max(50).describe('node ids, 1 to 50 of them'),
    retainers: count(1, 100, 10, 'retainers listed per object'),
  },
  readOnly: true,
  async run({ file: path, ids, retainers }, ctx, extra) {
    return answerFor(ctx, path, extra, (file, entry) => buildNodesReport(file, entry.analysis, ids, retainers));
  },
});
