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
import { sampleTool } from './sample.js';

/** Every tool the server offers, in the order clients list them. */
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
  sampleTool,
] as unknown as McpTool[];
