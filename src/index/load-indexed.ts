import type { HeapAnalysis } from '../analysis/types.js';
import { type IndexOptions, openIndexed, saveIndexed } from './store.js';

export interface IndexedLoad {
  analysis: HeapAnalysis;
  /** index: reopened from the saved analysis; snapshot: analysed now (and saved, when the index is on). */
  source: 'index' | 'snapshot';
}

/**
 * The one way a snapshot's analysis is loaded through the cache folder, for the commands and the MCP server
 * alike: the saved analysis of this very file when there is one to trust, else `analyze()`'s, saved for next
 * time. `index` null: neither read nor written (--no-index).
 */
export async function loadIndexed(
  file: string,
  index: IndexOptions | null,
  analyze: () => Promise<HeapAnalysis>,
): Promise<IndexedLoad> {
  const restored = index ? openIndexed(file, index) : null;
  if (restored) return { analysis: restored, source: 'index' };
  const analysis = await analyze();
  if (index) await saveIndexed(file, analysis, index);
  return { analysis, source: 'snapshot' };
}
