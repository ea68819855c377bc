import type { ZodRawShape, z } from 'zod';
import type { AllowedFolders } from './allowed-paths.js';
import type { AnalysisCache, CacheAnswer } from './analysis-cache.js';
import type { DumpFolder } from './dump-folder.js';
import type { CallExtra } from './progress.js';

/** What every tool may use: the server's options and its loaded analyses. */
export interface ToolContext {
  folders: AllowedFolders;
  /** null when the server was started without --dump-dir: `dump` refuses. */
  dumpFolder: DumpFolder | null;
  cache: AnalysisCache;
}

/** A tool's answer: one JSON document (or NDJSON lines, for gc), notes for the agent, and metadata. */
export interface ToolAnswer {
  document: unknown;
  /** gc: one document per line, as `heapwatch gc --json` prints them. */
  ndjson?: unknown[];
  notes?: string[];
  /** The cache status of each snapshot file the call used. */
  files?: { file: string; answer: CacheAnswer }[];
}

/**
 * One tool of the server: a thin wrapper over the code a command uses; a file in tools/ exporting a McpTool,
 * listed in tools/index.ts.
 */
export interface McpTool<Shape extends ZodRawShape = ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: Shape;
  /** Live tools act on a process; the others only read files. */
  readOnly: boolean;
  run(args: z.infer<z.ZodObject<Shape>>, ctx: ToolContext, extra: CallExtra): Promise<ToolAnswer>;
}

export function defineTool<Shape extends ZodRawShape>(tool: McpTool<Shape>): McpTool<Shape> {
  return tool;
}
