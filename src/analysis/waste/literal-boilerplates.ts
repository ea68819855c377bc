import type { HeapAnalysis } from '../types.js';

/** Edge names by which V8's AllocationSite keeps the template an object literal is cloned from. */
const BOILERPLATE_EDGES = new Set(['boilerplate', 'transition_info']);

/**
 * True when V8 keeps `o` only as an object literal's template (its retainers are all AllocationSite's boilerplate
 * edges): a copy the program never sees, whose path runs through compiled code, not a program object.
 */
export function isLiteralBoilerplate(a: HeapAnalysis, o: number): boolean {
  const s = a.snapshot;
  const { firstRetainer, retainerEdges } = a.retainers;
  const from = firstRetainer[o];
  const to = firstRetainer[o + 1];
  if (from === to) return false;
  for (let k = from; k < to; k++) {
    const e = retainerEdges[k];
    if (s.edgeTypes[e] !== s.edgeType.internal || !BOILERPLATE_EDGES.has(s.edgeName(e))) return false;
  }
  return true;
}

/** Per class in `classes`, how many of its instances are literal templates and their shallow bytes (one pass). */
export function boilerplatesOf(a: HeapAnalysis, classes: number[]): { count: number; bytes: number }[] {
  const slot = new Int32Array(a.classNames.length).fill(-1);
  classes.forEach((c, i) => {
    slot[c] = i;
  });
  const out = classes.map(() => ({ count: 0, bytes: 0 }));
  if (classes.length === 0) return out;
  const { classOf, selfSizes } = a;
  for (let o = 0; o < classOf.length; o++) {
    const i = slot[classOf[o]];
    if (i < 0 || selfSizes[o] === 0 || !isLiteralBoilerplate(a, o)) continue; // the histogram counts sized ones
    out[i].count++;
    out[i].bytes += selfSizes[o];
  }
  return out;
}
