import type { HeapAnalysis } from '../types.js';
import { wasteCandidates } from './candidates.js';
import { emptyCollections } from './empty-collections.js';
import { oneFieldClasses, oneFieldObjects, SAMPLE } from './one-field-objects.js';
import { oversizedCollections } from './oversized-collections.js';
import { repeatedStrings } from './repeated-strings.js';
import { collectionStores } from './stores.js';
import type { WasteFinding } from './types.js';
import { unusedContextVariables } from './unused-context.js';

export type { WasteExample, WasteFinding, WasteKind } from './types.js';

export interface WasteResult {
  findings: WasteFinding[];
  /** What each step took, in milliseconds (the cost of this section on this snapshot). */
  timings: { name: string; ms: number }[];
}

/**
 * Runs every waste analysis on a finished analysis: pure, no I/O. One pass over the nodes finds each check's
 * candidates (and the one-field check's samples), the collections' stores are found once for the empty and the
 * oversized checks, then each check (one file and one entry point each, as memlab's plugins) walks its own list.
 */
export function findWaste(a: HeapAnalysis): WasteResult {
  const timings: { name: string; ms: number }[] = [];
  const timed = <T>(name: string, run: () => T): T => {
    const t0 = performance.now();
    const out = run();
    timings.push({ name, ms: Math.round(performance.now() - t0) });
    return out;
  };
  const cands = timed('candidates (one pass over the nodes)', () => wasteCandidates(a, oneFieldClasses(a), SAMPLE));
  const stores = timed('collection stores', () => collectionStores(a, cands));
  const findings = [
    ...timed('empty collections', () => emptyCollections(a, undefined, cands, stores)),
    ...timed('oversized collections', () => oversizedCollections(a, cands, stores)),
    ...timed('one-field objects', () => oneFieldObjects(a, cands)),
    ...timed('repeated strings', () => repeatedStrings(a, cands)),
    ...timed('unused context variables', () => unusedContextVariables(a, cands)),
  ];
  return { findings, timings };
}
