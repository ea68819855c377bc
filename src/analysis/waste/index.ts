import type { HeapAnalysis } from '../types.js';
import { emptyCollections } from './empty-collections.js';
import { oneFieldObjects } from './one-field-objects.js';
import { oversizedCollections } from './oversized-collections.js';
import { repeatedStrings } from './repeated-strings.js';
import type { WasteFinding } from './types.js';
import { unusedContextVariables } from './unused-context.js';

export type { WasteExample, WasteFinding, WasteKind } from './types.js';

/** The waste analyses, one file and one entry point each (as memlab's heap-analysis plugins are). */
export const WASTE_ANALYSES: { name: string; run: (a: HeapAnalysis) => WasteFinding[] }[] = [
  { name: 'empty collections', run: emptyCollections },
  { name: 'oversized collections', run: oversizedCollections },
  { name: 'one-field objects', run: oneFieldObjects },
  { name: 'repeated strings', run: repeatedStrings },
  { name: 'unused context variables', run: unusedContextVariables },
];

export interface WasteResult {
  findings: WasteFinding[];
  /** What each analysis took, in milliseconds (the cost of this section on this snapshot). */
  timings: { name: string; ms: number }[];
}

/** Runs every waste analysis on a finished analysis: pure, no I/O. */
export function findWaste(a: HeapAnalysis): WasteResult {
  const findings: WasteFinding[] = [];
  const timings: { name: string; ms: number }[] = [];
  for (const { name, run } of WASTE_ANALYSES) {
    const t0 = performance.now();
    findings.push(...run(a));
    timings.push({ name, ms: Math.round(performance.now() - t0) });
  }
  return { findings, timings };
}
