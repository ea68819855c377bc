import type { HeapAnalysis } from '../analysis/types.js';
import type { NodeQueries } from '../report/nodes-report.js';
import { IndexDamage } from './index-file.js';
import { type IndexOptions, openIndexed, openLazyIndexed, saveIndexed } from './store.js';

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

/**
 * An answer from the saved analysis read only where `answer` looks (with the index's own graph queries), else from
 * `analyze()`'s (saved for next time). A damaged block met while answering discards that answer: one line says
 * so, the snapshot is analysed again, the index rewritten and the answer made from the fresh analysis.
 */
export async function answerIndexed<T>(
  file: string,
  index: IndexOptions | null,
  analyze: () => Promise<HeapAnalysis>,
  answer: (a: HeapAnalysis, q?: NodeQueries) => T | Promise<T>,
): Promise<T> {
  const lazy = index ? openLazyIndexed(file, index) : null;
  if (lazy && index) {
    try {
      return await answer(lazy.analysis, lazy.analysis);
    } catch (e) {
      if (!(e instanceof IndexDamage)) throw e;
      index.warn(`index ${lazy.path} ignored (${e.message}); analysing again`);
    } finally {
      lazy.analysis.close();
    }
  }
  const analysis = await analyze();
  if (index) await saveIndexed(file, analysis, index);
  return answer(analysis);
}
