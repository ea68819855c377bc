import { listNodeProcesses } from '../../live/ps.js';
import { psReport } from '../../live/reports.js';
import { defineTool } from '../tool.js';

export const psTool = defineTool({
  name: 'ps',
  title: 'Node.js processes',
  description:
    'The Node.js processes of the user the server runs as, with RSS, uptime and open inspector, as `heapwatch ps ' +
    '--json` (schema heapwatch/ps@1). Reads /proc only; touches no process.',
  input: {},
  readOnly: true,
  async run() {
    return { document: psReport(await listNodeProcesses()) };
  },
});
