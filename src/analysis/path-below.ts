import { edgeSource } from './graph.js';
import type { PathStep } from './paths.js';
import type { HeapAnalysis } from './types.js';

/**
 * A shortest path of at most `maxDepth` strong edges from `from` down to `to` (steps after `from`), or null: a
 * bounded breadth-first search for the few hops between a known holder and what it keeps, when the shortest
 * path from the roots goes another way (native handles, the stack) and would not show the holder.
 */
export function pathBelow(a: HeapAnalysis, from: number, to: number, maxDepth = 6, budget = 50_000): PathStep[] | null {
  const s = a.snapshot;
  const weak = s.edgeType.weak;
  const shortcut = s.edgeType.shortcut;
  // the nodes seen (bounded by `budget`, not by the heap) and the edge each was reached by
  const reachedBy = new Map<number, number>([[from, -1]]);
  let level = [from];
  for (let depth = 0; depth < maxDepth && level.length > 0; depth++) {
    const next: number[] = [];
    for (const v of level) {
      for (let e = s.firstEdge[v]; e < s.firstEdge[v + 1]; e++) {
        const t = s.edgeTypeOf(e);
        const w = s.edgeTarget(e);
        if (t === weak || t === shortcut || reachedBy.has(w)) continue;
        reachedBy.set(w, e);
        if (w === to) return stepsTo(a, reachedBy, from, to);
        if (reachedBy.size > budget) return null;
        next.push(w);
      }
    }
    level = next;
  }
  return null;
}

function stepsTo(a: HeapAnalysis, reachedBy: Map<number, number>, from: number, to: number): PathStep[] {
  const s = a.snapshot;
  const steps: PathStep[] = [];
  for (let o = to; o !== from; ) {
    const e = reachedBy.get(o)!;
    steps.push({ edge: e, node: o });
    o = edgeSource(s, e);
  }
  return steps.reverse();
}
