import { z } from 'zod';
import { duplicateStrings } from '../../analysis/strings.js';
import { buildAnalysisReport } from '../../report/analysis-report.js';
import { addWaste } from '../../report/waste-report.js';
import { defineTool } from '../tool.js';
import { answerFor, count, fileParam } from './shared.js';

export const analyzeTool = defineTool({
  name: 'analyze',
  title: 'Analyze a heap snapshot',
  description:
    'MAT-style analysis of a .heapsnapshot, as `heapwatch analyze --json` (schema heapwatch/analysis@1): totals, ' +
    'leak suspects with their named paths from the GC roots, the biggest objects of the dominator tree, the class ' +
    'histogram by retained size and duplicate strings. Sizes in bytes, exact as in Chrome DevTools. The first call ' +
    'on a file reads and analyzes it (seconds per GB, with progress); later calls on it answer from memory.',
  input: {
    file: fileParam,
    top: count(1, 100, 10, 'rows of biggest objects, of classes and of duplicate strings'),
    suspects: z
      .boolean()
      .default(true)
      .describe('include leak suspects, duplicate strings and waste findings (default true)'),
  },
  readOnly: true,
  async run({ file: path, top, suspects }, ctx, extra) {
    return answerFor(ctx, path, extra, async (file, entry) => {
      const report = buildAnalysisReport(file, entry.analysis, top);
      if (suspects) {
        // the same fields, in the same order, as analyze's addLeakFindings: suspects, then duplicate strings
        Object.assign(report, {
          suspects: await entry.suspects(),
          duplicateStrings: duplicateStrings(entry.analysis, top, await entry.stringCopies()),
        });
        await addWaste(report, entry.analysis); // then the waste section, as analyze adds it
      }
      return report;
    });
  },
});
