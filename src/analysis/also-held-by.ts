import { edgeSource } from './graph.js';
import { type Holder, holderOf } from './holder.js';
import { computeRootPaths, type PathStep, type RootPaths, rootPath } from './paths.js';
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
  const found = strongEdgesInto(s, bits);
  // per group: holder node → the sampled objects it holds
  const held = samples.map(() => new Map<number, Set<number>>());
  for (const e of found) {
    const target = s.edgeTargets[e];
    const g = groupOf.get(target)!;
    const holder = holdingObject(a, edgeSource(s, e));
    if (holder === main[g] || groupOf.has(holder) || holder === s.rootOrdinal || inside(a, holder, main[g])) continue;
    const list = held[g].get(holder);
    if (list) list.add(target);
    else held[g].set(holder, new Set([target]));
  }
  const chosen = held.map((byHolder, g) => {
    const total = samples[g].length;
    return [...byHolder]
      .map(([node, objects]) => ({ node, share: objects.size / total }))
      .filter((h) => h.share >= MIN_SHARE && s.nodeTypeOf(h.node) !== s.nodeType.synthetic)
      .sort((x, y) => y.share - x.share || x.node - y.node)
      .slice(0, MAX_HOLDERS);
  });
  // the suspects' path search stops once it has reached them: one more for the holders it had not reached
  const unreached = chosen.flat().filter((h) => rootPath(s, rp, h.node).length === 0);
  const more =
    unreached.length > 0 ? computeRootPaths(s, { holderPaths: true, targets: unreached.map((h) => h.node) }) : null;
  chosen.forEach((list, g) => {
    out[g] = list.map(({ node, share }) => {
      let path = rootPath(s, rp, node);
      if (path.length === 0 && more) path = rootPath(s, more, node);
      return { node, share, path, holder: path.length > 0 ? holderOf(a, path, node) : null };
    });
  });
  return out;
}

/**
 * The non-weak edges into the nodes whose bit is set, in edge order. A function of its own: the optimizer compiles
 * this loop over every edge without otherHolders' code around it.
 */
function strongEdgesInto(s: HeapAnalysis['snapshot'], bits: Uint32Array): number[] {
  const found: number[] = [];
  const { edgeTargets, edgeTypes } = s;
  const weak = s.edgeType.weak;
  for (let e = 0, m = s.edgeCount; e < m; e++) {
    const w = edgeTargets[e];
    // the bit first: nearly every edge fails it, and the edge type is read only for the few that pass
    if ((bits[w >>> 5] & (1 << (w & 31))) !== 0) {
      if (edgeTypes[e] !== weak) found.push(e);
    }
  }
  return found;
}

/**
 * The object a reference belongs to: a backing store (a Map's table, an array's elements) is its owner's; a
 * closure kept in a list (listeners, callbacks), and the context only that closure has, are the list's. A context
 * of variables (a module's, a function's) is its own holder: its path names the variable.
 */
export function holdingObject(a: HeapAnalysis, o: number): number {
  const s = a.snapshot;
  const T = s.nodeType;
  const root = s.rootOrdinal;
  let cur = o;
  const closure = isContext(s, cur) ? a.dominators[cur] : cur;
  if (closure !== root && s.nodeTypeOf(closure) === T.closure && inList(a, closure)) cur = a.dominators[closure];
  for (let hops = 0; hops < 2 && cur !== root; hops++) {
    const t = s.nodeTypeOf(cur);
    if ((t !== T.array && t !== T.hidden) || a.dominators[cur] === root) break;
    cur = a.dominators[cur];
  }
  return cur;
}

/** Whether the only holder of closure `f` is a list: an array's elements, or an element of an object. */
function inList(a: HeapAnalysis, f: number): boolean {
  const s = a.snapshot;
  const d = a.dominators[f];
  const t = s.nodeTypeOf(d);
  if (t === s.nodeType.array || t === s.nodeType.hidden) return true;
  for (let e = s.firstEdge[d]; e < s.firstEdge[d + 1]; e++) {
    if (s.edgeTarget(e) === f && s.edgeTypeOf(e) === s.edgeType.element) return true;
  }
  return false;
}

/** A closure's context: `system / Context` in Node, `system / Context / scope @…` in a browser's snapshot. */
function isContext(s: HeapAnalysis['snapshot'], o: number): boolean {
  return s.nodeName(o).startsWith('system / Context');
}

/** Whether `holder` lies inside `main`'s dominator subtree (its own parts: a chain's links, its tables). */
function inside(a: HeapAnalysis, holder: number, main: number): boolean {
  const root = a.snapshot.rootOrdinal;
  for (let cur = holder, hops = 0; cur !== root && hops < 64; cur = a.dominators[cur], hops++) {
    if (cur === main) return true;
  }
  return false;
}
