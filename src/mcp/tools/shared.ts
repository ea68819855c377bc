import { z } from 'zod';
import type { CacheAnswer, LoadedAnalysis } from '../analysis-cache.js';
import { type CallExtra, progressFor } from '../progress.js';
import type { ToolAnswer, ToolContext } from '../tool.js';

/** The snapshot parameter every file tool takes. */
export const fileParam = z
  .string()
  .min(1)
  .describe(
    'path of a .heapsnapshot file inside the folders the server may read (--root); relative to its working directory',
  );

/** A whole number between min and max, with a default. */
export function count(min: number, max: number, fallback: number, what: string) {
  return z.number().int().min(min).max(max).default(fallback).describe(`${what} (${min}-${max}, default ${fallback})`);
}

/** Checks the path, then answers from the server's memory or loads the file (with progress to the client). */
async function loaded(ctx: ToolContext, path: string, extra: CallExtra): Promise<CacheAnswer & { file: string }> {
  const file = ctx.folders.inputFile(path);
  const answer = await ctx.cache.get(file, progressFor(extra, `loading ${path}`));
  return { ...answer, file };
}

/** A file tool's answer: the document built from the file's analysis, with the file's cache status. */
export async function answerFor(
  ctx: ToolContext,
  path: string,
  extra: CallExtra,
  build: (file: string, entry: LoadedAnalysis) => unknown,
): Promise<ToolAnswer> {
  const { entry, cache, file } = await loaded(ctx, path, extra);
  return { document: await build(file, entry), files: [{ file, answer: { entry, cache } }] };
}
