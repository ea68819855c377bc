import { edgeSource } from './graph.js';
import { type Holder, holderOf } from './holder.js';
import { type PathStep, type RootPaths, rootPath } from './paths.js';
import type { HeapAnalysis } from './types.js';

/** Another strong holder of a suspect's objects, besides the one its path names. */
export interface OtherHolder {
  /** The holding object (a Map or array rather than its backing store). */
  readonly node: number;
  /** Its name as the code names it, when its path has one. */
  readonly holder: Holder | null;
  /** The share of the sampled objects it holds (0–1). */
  readonly share: number;
  /** Its path from the roots (empty when the search stopped before reaching it). */
  readonly path: PathStep[];
}

/** A holder counts when it holds at least this share of the sampled objects. */
const MIN_SHARE = 0.5;
const MAX_HOLDERS = 3;

/**
 * For each group of sampled objects (one group per suspect), the other objects that hold them strongly, not
 * counting `main[i]` (the holder the suspect's path names), objects of the sample itself (links of a list)
 * or anything inside the main holder. One pass over all edges testing a bit per node (a bit set of
 * nodeCount/8 bytes), so its cost does not depend on how many objects are sampled.
 */
export function otherHolders(
  a: HeapAnalysis,
  rp: RootPaths,
  samples: readonly (readonly number[])[],
  main: readonly number[],
): OtherHolder[][] {
  const s = a.snapshot;
  const out: OtherHolder[][] = samples.map(() => []);
  if (samples.every((g) => g.length === 0)) return out;
  const bits = new Uint32Array((s.nodeCount + 31) >>> 5);
  const groupOf = new Map<number, number>(); // sampled objects only: a few hundred
  samples.forEach((g, i) => {
    for (const o of g) {
      bits[o >>> 5] |= 1 << (o & 31);
      groupOf.set(o, i);
    }
  });
  const found: number[] = [];
  const { edgeTargets, edgeTypes } = s;
  const weak = s.edgeType.weak;
  for (let e = 0, m = s.edgeCount; e < m; e++) {
    const w = edgeTargets[e];
    if ((bits[w >>> 5] & (1 << (w & 31))) !== 0 && edgeTypes[e] !== weak) found.push(e);
  }
  // per group: holder node → the sampled objects it holds
  const held = samples.map(() => new Map<number, Set<number>>());
  for (const e of found) {
    const target = edgeTargets[e];
    const g = groupOf.get(target)!;
    const holder = owner(a, edgeSource(s, e));
    if (holder === main[g] || groupOf.has(holder) || holder === s.rootOrdinal || inside(a, holder, main[g])) continue;
    const list = held[g].get(holder);
    if (list) list.add(target);
    else held[g].set(holder, new Set([target]));
  }
  held.forEach((byHolder, g) => {
    const total = samples[g].length;
    out[g] = [...byHolder]
      .map(([node, objects]) => ({ node, share: objects.size / total }))
      .filter((h) => h.share >= MIN_SHARE && s.nodeTypeOf(h.node) !== s.nodeType.synthetic)
      .sort((x, y) => y.share - x.share || x.node - y.node)
      .slice(0, MAX_HOLDERS)
      .map(({ node, share }) => {
        const path = rootPath(s, rp, node);
        return { node, share, path, holder: path.length > 0 ? holderOf(a, path, node) : null };
      });
  });
  return out;
}

/** The object a reference belongs to: a backing store (a Map's table, an array's elements) is its owner's. */
function owner(a: HeapAnalysis, o: number): number {
  const s = a.snapshot;
  const t = s.nodeTypeOf(o);
  return t === s.nodeType.array || t === s.nodeType.hidden ? a.dominators[o] : o;
}

/** Whether `holder` lies inside `main`'s dominator subtree (its own parts: a chain's links, its tables). */
function inside(a: HeapAnalysis, holder: number, main: number): boolean {
  const root = a.snapshot.rootOrdinal;
  for (let cur = holder, hops = 0; cur !== root && hops < 64; cur = a.dominators[cur], hops++) {
    if (cur === main) return true;
  }
  return false;
}
