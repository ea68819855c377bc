import { z } from 'zod';
import { usageError } from '../../errors.js';
import { buildFindReport } from '../../report/find-report.js';
import { defineTool } from '../tool.js';
import { answerFor, count, fileParam } from './shared.js';

export const findTool = defineTool({
  name: 'find',
  title: 'Find objects by class or by name',
  description:
    'Objects of a class (exact class name as the histogram shows it, e.g. `Session`, `Map`, `(closure)`), or the ' +
    'objects a property or variable of that name points to (e.g. `sessionCache`), the biggest by retained size ' +
    'first, as JSON (schema heapwatch/find@1): `matched` counts all matches, `objects` lists the biggest; by name, ' +
    'each with the object holding the reference. Give exactly one of className and name.',
  input: {
    file: fileParam,
    className: z.string().min(1).optional().describe('a class name, exactly as the histogram shows it'),
    name: z.string().min(1).optional().describe('a property or variable name'),
    limit: count(1, 200, 20, 'objects listed'),
  },
  readOnly: true,
  async run({ file: path, className, name, limit }, ctx, extra) {
    if ((className === undefined) === (name === undefined)) {
      throw usageError('give exactly one of className and name');
    }
    const query = className !== undefined ? { className } : { name: name as string };
    return answerFor(ctx, path, extra, (file, entry) => buildFindReport(file, entry.analysis, query, limit));
  },
});
