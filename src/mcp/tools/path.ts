import { z } from 'zod';
import { buildPathsReport } from '../../report/paths-report.js';
import { defineTool } from '../tool.js';
import { answerFor, count, fileParam } from './shared.js';

export const pathTool = defineTool({
  name: 'path',
  title: 'Paths from the GC roots',
  description:
    'The shortest paths from the GC roots to an object (weak references excluded), each step named as in the ' +
    "code (`(global) → cache → table → ['key'] → Session`), as `heapwatch path --json` (schema heapwatch/paths@1).",
  input: {
    file: fileParam,
    id: z.number().int().min(0).describe('the node id of the object'),
    count: count(1, 20, 5, 'paths, shortest first'),
  },
  readOnly: true,
  async run({ file: path, id, count: n }, ctx, extra) {
    return answerFor(ctx, path, extra, async (file, entry) =>
      buildPathsReport(file, entry.analysis, id, n, await entry.rootPaths()),
    );
  },
});
