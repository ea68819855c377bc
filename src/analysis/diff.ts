import type { HeapSnapshot } from '../snapshot/snapshot.js';
import { kindLabel } from './holdings.js';
import { computeRootPaths, type PathStep, type RootPaths, rootPath } from './paths.js';
import type { ClassRow, HeapAnalysis } from './types.js';

/** Per class: the change from one snapshot to the next. */
export interface ClassDelta {
  className: string;
  countBefore: number;
  countAfter: number;
  countDelta: number;
  shallowDelta: number;
  retainedDelta: number;
}

/**
 * Two snapshots' class histograms side by side, largest shallow growth first (more or bigger objects of the
 * class itself; retained growth is shared by every holder up to the global object), then retained. Classes
 * that share a name (DevTools splits them by source location) are added up under the name.
 */
export function classDiff(before: readonly ClassRow[], after: readonly ClassRow[]): ClassDelta[] {
  const rows = new Map<string, ClassDelta>();
  const row = (name: string): ClassDelta => {
    let r = rows.get(name);
    if (!r) {
      r = { className: name, countBefore: 0, countAfter: 0, countDelta: 0, shallowDelta: 0, retainedDelta: 0 };
      rows.set(name, r);
    }
    return r;
  };
  for (const c of before) {
    const r = row(c.className);
    r.countBefore += c.count;
    r.countDelta -= c.count;
    r.shallowDelta -= c.shallowSize;
    r.retainedDelta -= c.retainedSize;
  }
  for (const c of after) {
    const r = row(c.className);
    r.countAfter += c.count;
    r.countDelta += c.count;
    r.shallowDelta += c.shallowSize;
    r.retainedDelta += c.retainedSize;
  }
  return [...rows.values()]
    .filter((r) => r.countDelta !== 0 || r.shallowDelta !== 0 || r.retainedDelta !== 0)
    .sort(
      (x, y) =>
        y.shallowDelta - x.shallowDelta || y.retainedDelta - x.retainedDelta || (x.className < y.className ? -1 : 1),
    );
}

/** The snapshot's node ids, sorted, for membership tests by binary search (no Set keyed by node). */
export function sortedIds(s: HeapSnapshot): Uint32Array {
  const ids = new Uint32Array(s.nodeCount);
  const { nodes, nodeFieldCount: nf } = s;
  const idOff = s.nodeIdOffset;
  for (let o = 0; o < ids.length; o++) ids[o] = nodes[o * nf + idOff];
  return ids.sort();
}

export function hasId(sorted: Uint32Array, id: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid];
    if (v === id) return true;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Objects of one class leaked along one retainer path (memlab's leak trace cluster). */
export interface LeakGroup {
  className: string;
  /** Top-most leaked objects in the group (their leaked children are inside their retained size). */
  count: number;
  retainedSize: number;
  /** Node ids of a few members (in the final snapshot). */
  sampleIds: number[];
  /** The path of the group's biggest member in the final snapshot, root side first. */
  path: PathStep[];
}

/**
 * memlab's method over three snapshots of one process: objects created between the first and the second
 * (ids absent from the first, present in the second) that are still alive in the third are leaked. They are
 * grouped by class and by their retainer path (indices and Map keys set aside), counting only the top-most
 * leaked objects of each dominator path, so a leaked list is one group, not thousands.
 */
export function leakedGroups(
  final: HeapAnalysis,
  firstIds: Uint32Array,
  secondIds: Uint32Array,
  rootPaths?: RootPaths,
): LeakGroup[] {
  const s = final.snapshot;
  const n = s.nodeCount;
  const T = s.nodeType;
  const leaked = new Uint8Array(n);
  for (let o = 0; o < n; o++) {
    const id = s.nodeId(o);
    if (hasId(secondIds, id) && !hasId(firstIds, id)) leaked[o] = 1;
  }
  // engine internals (hidden objects, arrays, code, shapes) are storage, not what a program leaks
  const isObjectLike = (o: number): boolean => {
    const t = s.nodeTypeOf(o);
    return (
      t !== T.hidden && t !== T.array && t !== T.code && t !== T['object shape'] && t !== T.synthetic && t !== T.number
    );
  };
  const rp = rootPaths ?? computeRootPaths(s, { holderPaths: true });
  const groups = new Map<string, LeakGroup & { best: number }>();
  const root = s.rootOrdinal;
  for (let o = 0; o < n; o++) {
    if (!leaked[o] || !isObjectLike(o)) continue;
    // top-most: no leaked object-like node above it up to the first object-like dominator
    let d = final.dominators[o];
    while (d !== root && !isObjectLike(d)) d = final.dominators[d];
    if (d !== root && leaked[d]) continue;
    const path = rootPath(s, rp, o);
    const label = kindLabel(final, o);
    const key = `${label}\u0000${pathSignature(final, path)}`;
    let g = groups.get(key);
    if (!g) {
      g = { className: label, count: 0, retainedSize: 0, sampleIds: [], path, best: o };
      groups.set(key, g);
    }
    g.count++;
    g.retainedSize += final.retainedSizes[o];
    if (g.sampleIds.length < 5) g.sampleIds.push(s.nodeId(o));
    if (final.retainedSizes[o] > final.retainedSizes[g.best]) {
      g.best = o;
      g.path = path;
    }
  }
  return [...groups.values()]
    .sort((x, y) => y.retainedSize - x.retainedSize || y.count - x.count)
    .map(({ best: _best, ...g }) => g);
}

/** A path's shape: its named hops, with array indices and table slots (Map entries) set aside. */
function pathSignature(a: HeapAnalysis, path: PathStep[]): string {
  const s = a.snapshot;
  const T = s.edgeType;
  let sig = '';
  for (const { edge } of path) {
    const t = s.edgeTypeOf(edge);
    const name = t === T.element || t === T.hidden ? '' : s.edgeName(edge);
    sig += /^\d*$/.test(name) ? '/[]' : `/${name}`;
  }
  return sig;
}
