import type { EarlyAnalysis, HeapAnalysis } from '../types.js';
import { type WasteCandidates, wasteCandidates } from './candidates.js';
import { emptyCollections, emptyOnes } from './empty-collections.js';
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

/** The steps of the waste checks that need no dominators nor retained sizes, done ahead by prepareWaste. */
export interface WastePrework {
  cands: WasteCandidates;
  stores: Int32Array;
  /** Positions in cands.collections of the empty collections. */
  empties: Uint32Array;
  timings: { name: string; ms: number }[];
}

function timer(timings: { name: string; ms: number }[]) {
  return <T>(name: string, run: () => T): T => {
    const t0 = performance.now();
    const out = run();
    timings.push({ name, ms: Math.round(performance.now() - t0) });
    return out;
  };
}

/**
 * The first steps of findWaste, which need neither dominators nor retained sizes: analyze takes them while its
 * thread waits for the other thread's dominators. One pass over the nodes finds each check's candidates (and the
 * one-field check's samples), then the collections' stores (for the empty and the oversized checks) and which of
 * them are empty.
 */
export function prepareWaste(a: EarlyAnalysis): WastePrework {
  const timings: { name: string; ms: number }[] = [];
  const timed = timer(timings);
  const cands = timed('candidates (one pass over the nodes)', () => wasteCandidates(a, oneFieldClasses(a), SAMPLE));
  const stores = timed('collection stores', () => collectionStores(a, cands));
  const empties = timed('empty collections found', () => emptyOnes(a.snapshot, cands, stores));
  return { cands, stores, empties, timings };
}

/**
 * Runs every waste analysis on a finished analysis (after prepareWaste's steps, unless given): pure, no I/O. Each
 * check (one file and one entry point each, as memlab's plugins) walks its own list of candidates.
 */
export function findWaste(
  a: HeapAnalysis,
  pre: WastePrework = prepareWaste(a),
  opts: FindWasteOptions = {},
): WasteResult {
  const timings = [...pre.timings];
  const timed = timer(timings);
  const { cands, stores } = pre;
  const findings = [
    ...timed('empty collections', () => emptyCollections(a, undefined, cands, stores, pre.empties)),
    ...timed('oversized collections', () => oversizedCollections(a, cands, stores)),
    ...timed('one-field objects', () => oneFieldObjects(a, cands)),
    ...timed('repeated strings', () => repeatedStrings(a, cands)),
    ...(opts.withoutContexts ? [] : timed('unused context variables', () => unusedContextVariables(a, cands))),
  ];
  return { findings, timings };
}

export interface FindWasteOptions {
  /** Leave out the last check, unused context variables (its findings come later: see unusedContextVariables). */
  withoutContexts?: boolean;
}
