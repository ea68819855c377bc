import { DETACHED } from './dom-state.js';
import type { HeapAnalysis } from './types.js';

/**
 * Detached DOM trees of a web page or Electron renderer snapshot, grouped by what keeps them: DOM nodes removed
 * from the document but still referenced from JavaScript (an array of old rows, a cache of old views).
 */
export interface DetachedTrees {
  /** The object that keeps the trees (the first object above them in the dominator tree that is not one). */
  readonly holder: number;
  /** The trees' top nodes (ordinals), biggest retained size first. */
  readonly roots: number[];
  /** Detached DOM nodes in the trees (and their JavaScript wrappers not counted). */
  readonly nodes: number;
  readonly retainedSize: number;
}

/**
 * The detached DOM trees (DevTools' "Detached …" nodes, from the snapshot's `detachedness`), grouped by holder,
 * biggest first, those retaining more than `minSize` together. Work is per detached node (a page has few),
 * walking up the dominator tree; nothing when the snapshot has no DOM state (Node).
 */
export function findDetachedTrees(a: HeapAnalysis, minSize: number): DetachedTrees[] {
  const detached = a.detachedNative;
  // Node's snapshots have a few detached native objects of its own (Node / AliasedUint8Array), never DOM nodes:
  // no pass over the nodes for them
  if (detached === null || !a.classNames.some(isDomClass)) return [];
  const s = a.snapshot;
  const root = s.rootOrdinal;
  const isDetached = (o: number): boolean =>
    detached[o] === DETACHED || a.classNames[a.classOf[o]].startsWith('Detached ');
  // by holder (a few), each with its trees' top nodes (as many as the page has detached trees)
  const groups = new Map<number, { roots: Set<number>; nodes: number; retainedSize: number }>();
  for (let o = 0, n = s.nodeCount; o < n; o++) {
    if (detached[o] !== DETACHED) continue;
    // up to the tree's top node and the holder above it
    let top = o;
    while (a.dominators[top] !== root && isDetached(a.dominators[top])) top = a.dominators[top];
    // a Map's table or an array's elements: the Map or array that owns it
    let holder = a.dominators[top];
    const t = s.nodeTypeOf(holder);
    if ((t === s.nodeType.array || t === s.nodeType.hidden) && holder !== root) holder = a.dominators[holder];
    let g = groups.get(holder);
    if (!g) groups.set(holder, (g = { roots: new Set(), nodes: 0, retainedSize: 0 }));
    g.nodes++;
    if (!g.roots.has(top)) {
      g.roots.add(top);
      g.retainedSize += a.retainedSizes[top];
    }
  }
  const out: DetachedTrees[] = [];
  for (const [holder, g] of groups) {
    if (g.retainedSize <= minSize) continue;
    const roots = [...g.roots].sort((x, y) => a.retainedSizes[y] - a.retainedSizes[x] || x - y);
    out.push({ holder, roots, nodes: g.nodes, retainedSize: g.retainedSize });
  }
  return out.sort((x, y) => y.retainedSize - x.retainedSize);
}

/** A detached DOM node's class as DevTools names it: `Detached <li>`, `Detached Text`, `Detached HTMLDivElement`. */
function isDomClass(name: string): boolean {
  return name.startsWith('Detached ') && !name.startsWith('Detached Node / ');
}
