import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { analyzeFile } from '../analyze-file.js';
import { HeapwatchError } from '../errors.js';
import { loadIndexed } from '../index/load-indexed.js';
import { AllowedFolders } from './allowed-paths.js';
import { AnalysisCache } from './analysis-cache.js';
import { DumpFolder } from './dump-folder.js';
import type { CallExtra } from './progress.js';
import type { McpTool, ToolAnswer, ToolContext } from './tool.js';
import { TOOLS } from './tools/index.js';

export interface McpServerOptions {
  /** Folders the file tools may read (default: the working directory). */
  roots: string[];
  /** The folder `dump` writes to; without it `dump` refuses. */
  dumpDir?: string;
  /** Bytes of loaded analyses kept in memory. */
  memoryBudget: number;
  /** The saved analyses' cache folder, as the commands use it (--index-dir; default $HEAPWATCH_CACHE, …); null: --no-index. */
  index: { dir?: string } | null;
  version: string;
}

/** The server's context: folders checked at start (a bad --root or --dump-dir stops it before it serves). */
export function createContext(opts: McpServerOptions): ToolContext {
  const dumpFolder = opts.dumpDir === undefined ? null : DumpFolder.open(opts.dumpDir);
  let folders = AllowedFolders.open(opts.roots);
  if (dumpFolder) folders = folders.withFolder(dumpFolder.path); // what the server dumped, it may analyze
  // stderr is the server's log: a saved analysis ignored or not written is said there, as the commands say it
  const index = opts.index && { ...opts.index, warn: (m: string) => process.stderr.write(`heapwatch: ${m}\n`) };
  const cache = new AnalysisCache(opts.memoryBudget, (file, onProgress) =>
    loadIndexed(file, index, () => analyzeFile(file, { onProgress, rootPaths: true })),
  );
  return { folders, dumpFolder, cache };
}

/** The tool's documents as MCP content: one JSON text (gc: one per line, as NDJSON), then notes; cache in _meta. */
function toResult(answer: ToolAnswer, ctx: ToolContext): CallToolResult {
  const text = answer.ndjson ? answer.ndjson.map((d) => JSON.stringify(d)).join('\n') : JSON.stringify(answer.document);
  const content: CallToolResult['content'] = [{ type: 'text', text }];
  for (const note of answer.notes ?? []) content.push({ type: 'text', text: `heapwatch: ${note}` });
  const stats = ctx.cache.stats();
  return {
    content,
    _meta: {
      heapwatch: {
        files: (answer.files ?? []).map(({ file, answer: a }) => ({
          file,
          cache: a.cache,
          source: a.entry.source,
          loadNumber: a.entry.loadNumber,
          analysisBytes: a.entry.bytes,
        })),
        loads: stats.loads,
        cachedAnalyses: stats.entries.length,
        cachedBytes: stats.bytes,
        memoryBudget: stats.budget,
      },
    },
  };
}

/** An error as the CLI prints it, `heapwatch: <message>`, with its code; no stack. */
function errorResult(err: unknown, ctx: ToolContext): CallToolResult {
  const known = err instanceof HeapwatchError;
  const message = known ? err.message : `internal error: ${(err as Error)?.message ?? String(err)}`;
  return {
    isError: true,
    content: [{ type: 'text', text: `heapwatch: ${message}` }],
    _meta: { heapwatch: { error: { code: known ? err.code : 'INTERNAL', message }, loads: ctx.cache.stats().loads } },
  };
}

export function createMcpServer(ctx: ToolContext, version: string, tools: McpTool[] = TOOLS): McpServer {
  const server = new McpServer(
    { name: 'heapwatch', version },
    {
      instructions:
        'heapwatch: memory diagnostics for Node.js. Start with `analyze` on a .heapsnapshot (leak suspects with ' +
        'named paths, biggest objects, class histogram); follow a suspect with `path` and `node` by id, look for ' +
        'objects with `find`; compare snapshots with `diff`. Live: `ps` lists processes, `gc` samples heap and ' +
        'GC, `sample` names the code that allocated what stays alive (no dump), `dump` writes a snapshot (into ' +
        "the server's dump folder). Sizes are bytes.",
    },
  );
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        annotations: { readOnlyHint: tool.readOnly, destructiveHint: false, openWorldHint: false },
      },
      (async (args: Record<string, unknown>, extra: CallExtra) => {
        try {
          const answer = await tool.run(args as never, ctx, extra);
          return toResult(answer, ctx);
        } catch (err) {
          return errorResult(err, ctx);
        } finally {
          ctx.cache.evict(); // memoised paths and suspects grow an entry after it was admitted
        }
      }) as never,
    );
  }
  return server;
}

/** Serves MCP over stdin/stdout until the client closes stdin. Nothing else may write to stdout. */
export async function serveStdio(opts: McpServerOptions): Promise<void> {
  const ctx = createContext(opts);
  const server = createMcpServer(ctx, opts.version);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close();
}
