import type { McpTool } from '../tool.js';
import { analyzeTool } from './analyze.js';
import { diffTool } from './diff.js';
import { dumpTool } from './dump.js';
import { findTool } from './find.js';
import { gcTool } from './gc.js';
import { histogramTool } from './histogram.js';
import { nodeTool } from './node.js';
import { pathTool } from './path.js';
import { psTool } from './ps.js';

/**
 * Every tool the server offers, in the order clients list them. `sample` (allocation sites from a .heapprofile,
 * built on branch `sample`) joins as tools/sample.ts wrapping src/sample/'s report, added to this list.
 */
export const TOOLS: McpTool[] = [
  analyzeTool,
  findTool,
  pathTool,
  nodeTool,
  histogramTool,
  diffTool,
  psTool,
  gcTool,
  dumpTool,
] as unknown as McpTool[];
