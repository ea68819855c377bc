import type { HeapAnalysis } from '../types.js';
import type { BigContexts } from './unused-context.js';

// The unused-context check's scan of every closure's context chain (bigContexts) on analyze's worker thread, which
// has nothing left to do while this thread works out the leak suspects: its answer is needed only for the report's
// waste section, at the end.

/** What the worker is sent for the scan: the check's candidates and its names' table (contextNameTable). */
export interface ContextScanRequest {
  closures: Uint32Array;
  names: Int8Array;
}

/** The worker's answer (null: it was sent no request). */
export interface ContextScanMessage {
  found: BigContexts;
}

const pending = new WeakMap<HeapAnalysis, { closures: Uint32Array; found: Promise<BigContexts | null> }>();

/** The worker's scan of `closures` for `a`, coming (null when the worker fails: the scan is then made here). */
export function setBackgroundContextScan(
  a: HeapAnalysis,
  closures: Uint32Array,
  found: Promise<BigContexts | null>,
): void {
  pending.set(a, { closures, found: found.catch(() => null) });
}

/** The scan of these very candidates the worker makes for `a`, or null when none was asked of it. */
export function backgroundContextScan(a: HeapAnalysis, closures: Uint32Array): Promise<BigContexts | null> | null {
  const p = pending.get(a);
  return p && p.closures === closures ? p.found : null;
}
