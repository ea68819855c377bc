import { z } from 'zod';
import type { CacheAnswer } from '../analysis-cache.js';
import { type CallExtra, progressFor } from '../progress.js';
import type { ToolContext } from '../tool.js';

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
export async function loaded(
  ctx: ToolContext,
  path: string,
  extra: CallExtra,
): Promise<CacheAnswer & { file: string }> {
  const file = ctx.folders.inputFile(path);
  const answer = await ctx.cache.get(file, progressFor(extra, `loading ${path}`));
  return { ...answer, file };
}
