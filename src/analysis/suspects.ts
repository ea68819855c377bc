import { holdingObject, type OtherHolder, otherHolders } from './also-held-by.js';
import { asyncContextOf } from './async-context.js';
import { classCandidates, classSuspect } from './class-suspects.js';
import { type DetachedTrees, findDetachedTrees } from './detached-dom.js';
import { FunnelKind, funnelKind, isWindow } from './funnels.js';
import { type Holder, holderOf } from './holder.js';
import { chainHoldings, type Holding, holdings, kindKey, kindLabel } from './holdings.js';
import { userRootFlags } from './overview.js';
import { pathBelow } from './path-below.js';
import { computeRootPaths, type PathStep, type RootPaths, rootPath } from './paths.js';
import { findReloadedModules, moduleObjects, type ReloadedModule } from './reloaded-modules.js';
import { prepareClosureRecords } from './source-locations.js';
import type { HeapAnalysis } from './types.js';

export type { Holding } from './holdings.js';

export interface SuspectOptions {
  /** A suspect retains more than this fraction of the heap (MAT: 10%). */
  threshold?: number;
  /** Descend to the biggest child while it keeps at least this fraction of its parent (MAT: 70%). */
  accumulationRatio?: number;
  maxSuspects?: number;
  /** Instances sampled per class suspect for the merged path. */
  classSamples?: number;
  /** Reused when the caller already has them. */
  rootPaths?: RootPaths;
}

export interface Suspect {
  /** `module`: stale copies of a reloaded module (see reloaded-modules.ts), `node` the biggest copy. */
  kind: 'object' | 'class' | 'module' | 'detached';
  /** The suspect object, or for a class suspect one representative instance. */
  node: number;
  className: string;
  /** 1 for an object suspect; the number of instances for a class suspect. */
  count: number;
  retainedSize: number;
  /** Percent of the heap (0–100). */
  percent: number;
  /** Where the memory piles up (for a class suspect: the deepest node shared by most instances' paths). */
  accumulationPoint: number;
  /** A linked structure reported once, by its head: the number of links, their kinds and nodes per link. */
  chain: { links: number; label: string; period: number } | null;
  holds: Holding[];
  /** From the root to the accumulation point and a representative of what it holds, root side first. */
  path: PathStep[];
  /** For a class suspect: the share of sampled instances whose path starts with `path`. */
  pathShare: number;
  /** For a class suspect: the whole path of one sampled instance that shares `path` (for an object, `path`). */
  samplePath: PathStep[];
  /** The variable or property holding the accumulation point, as the code names it; null if nothing names it. */
  holder: Holder | null;
  /** For a `module` suspect: the reloaded module. Else null. */
  module: ReloadedModule | null;
  /** For a `detached` suspect (`node` the biggest tree's top): the trees one holder keeps. Else absent. */
  detached?: DetachedTrees;
  /** Other strong holders of the objects it is about (a fix of one path is not a fix of the leak). */
  alsoHeldBy?: OtherHolder[];
}

/** MAT's rule: a suspect retains more than 10% of the heap. */
export const SUSPECT_THRESHOLD = 0.1;
/** Stale copies of a reloaded module are a leak whatever their share: reported above 1% of the heap. */
export const RELOADED_MODULE_THRESHOLD = 0.01;
/** Detached DOM trees are what a web developer looks for first: reported above 1% of the heap. */
export const DETACHED_DOM_THRESHOLD = 0.01;
/** At least this many same-kind links in a row make a chain. */
const MIN_CHAIN_LINKS = 3;

/**
 * The suspects' work that needs neither the holder paths nor the class histogram nor the dominator tree's order,
 * done ahead (analyze calls it before the histogram's walk, which both threads share, so that less is left for
 * this thread alone once the paths are in): the module objects, and the index of the location records.
 */
export function prepareSuspects(a: HeapAnalysis): void {
  moduleObjects(a);
  prepareClosureRecords(a.snapshot);
}

/**
 * Leak suspects in Eclipse MAT's manner, adapted to Node: the biggest objects below the program's roots that
 * retain more than `threshold` of the heap, each followed down to its accumulation point; then the classes
 * whose instances together retain more than `threshold` and are not already inside an object suspect.
 * Ordered by retained size, largest first.
 */
export function findSuspects(a: HeapAnalysis, opts: SuspectOptions = {}): Suspect[] {
  const threshold = (opts.threshold ?? SUSPECT_THRESHOLD) * a.totalSize;
  const ratio = opts.accumulationRatio ?? 0.7;
  const maxSuspects = opts.maxSuspects ?? 10;
  const objects = objectSuspects(a, threshold, ratio);
  const candidates = classCandidates(
    a,
    threshold,
    objects.map((x) => x.suspect),
    opts,
  );
  const reloaded = findReloadedModules(a, RELOADED_MODULE_THRESHOLD * a.totalSize);
  const detachedTrees = findDetachedTrees(a, DETACHED_DOM_THRESHOLD * a.totalSize);
  // one BFS for every path wanted, stopped once it has reached them all
  const targets = [
    ...objects.map((x) => x.end),
    ...candidates.flatMap((c) => c.free),
    ...reloaded.flatMap((m) => (m.system === 'esm' && m.holder >= 0 ? [m.holder] : [m.copies[0]])),
    ...detachedTrees.map((d) => d.roots[0]),
  ];
  const rp = opts.rootPaths ?? computeRootPaths(a.snapshot, { holderPaths: true, targets });
  // an object whose detached DOM trees are reported as such is not reported a second time
  const detachedHolders = new Set(detachedTrees.map((d) => d.holder));
  const out: Suspect[] = objects
    .filter(({ suspect }) => !detachedHolders.has(suspect.accumulationPoint))
    .map(({ suspect, end }) => {
      const path = rootPath(a.snapshot, rp, end);
      const holder = holderOf(a, path, suspect.accumulationPoint) ?? listenersHolder(a, suspect.accumulationPoint);
      return { ...suspect, path, samplePath: path, holder };
    });
  // the objects each suspect is about, sampled, for their other holders (class suspects: their instances)
  const samples: number[][] = out.map((x) => sampleMembers(a, x));
  for (const c of candidates) {
    const suspect = classSuspect(a, rp, c);
    if (!suspect) continue;
    out.push({ ...suspect, holder: holderOf(a, suspect.path, suspect.accumulationPoint) });
    samples.push(c.free);
  }
  for (const m of reloaded) {
    out.push(moduleSuspect(a, rp, m));
    samples.push(spread(m.copies));
  }
  for (const d of detachedTrees) {
    out.push(detachedSuspect(a, rp, d));
    samples.push(spread(d.roots));
  }
  const main = out.map((x, i) => mainHolder(a, rp, x, samples[i]));
  const others = otherHolders(a, rp, samples, main);
  out.forEach((x, i) => {
    x.alsoHeldBy = others[i];
  });
  return out.sort((x, y) => y.retainedSize - x.retainedSize).slice(0, maxSuspects);
}

/** Members sampled for an object suspect's other holders: of its biggest group, spread over the group. */
const MEMBER_SAMPLES = 20;

function sampleMembers(a: HeapAnalysis, x: Suspect): number[] {
  const top = x.holds[0];
  // a chain's links hold each other (another holder of a link would end the chain there): its head is what
  // something else can keep too
  if (x.chain) return [x.accumulationPoint];
  if (x.kind !== 'object' || !top) return [];
  const s = a.snapshot;
  const point = a.dominators[top.example];
  const members = a.dominatorTree.childrenInAnyOrder(point);
  const step = Math.max(1, Math.floor(top.count / MEMBER_SAMPLES));
  const out: number[] = [];
  for (let i = 0, seen = 0; i < members.length && out.length < MEMBER_SAMPLES; i++) {
    const c = members[i];
    if (kindKey(a, c) !== top.key || s.nodeTypeOf(c) === s.nodeType.synthetic) continue;
    if (seen++ % step === 0) out.push(c);
  }
  return out;
}

/** Up to MEMBER_SAMPLES of `list`, spread over it. */
function spread(list: readonly number[]): number[] {
  const step = Math.max(1, Math.floor(list.length / MEMBER_SAMPLES));
  const out: number[] = [];
  for (let i = 0; i < list.length && out.length < MEMBER_SAMPLES; i += step) out.push(list[i]);
  return out;
}

/**
 * The holder a suspect's path names, which "also held by" leaves out: for a class suspect its accumulation
 * point; for the other kinds the owner of the reference the paths reach its sampled objects by.
 */
function mainHolder(a: HeapAnalysis, rp: RootPaths, x: Suspect, sample: number[]): number {
  if (x.kind === 'class') return x.accumulationPoint;
  for (const m of sample) {
    const path = rootPath(a.snapshot, rp, m);
    if (path.length >= 2) return holdingObject(a, path[path.length - 2].node);
  }
  return x.accumulationPoint;
}

/**
 * A browser's event listener list (Blink's vector of RegisteredEventListener) has no name on its path: it reads
 * as the listeners of the window or element that owns it.
 */
function listenersHolder(a: HeapAnalysis, point: number): Holder | null {
  if (!a.classNames[a.classOf[point]].includes('RegisteredEventListener')) return null;
  const s = a.snapshot;
  let owner = -1; // the nearest DOM object above the list, unless a window owns it
  for (let cur = a.dominators[point]; cur !== s.rootOrdinal; cur = a.dominators[cur]) {
    if (isWindow(s.nodeName(cur))) return { name: 'window event listeners', node: point };
    if (owner < 0 && s.nodeTypeOf(cur) === s.nodeType.native && !s.nodeName(cur).includes('::')) owner = cur;
  }
  return { name: owner < 0 ? 'event listeners' : `${kindLabel(a, owner)} event listeners`, node: point };
}

/** Detached DOM trees one holder keeps, as a suspect: its path leads to the biggest tree. */
function detachedSuspect(a: HeapAnalysis, rp: RootPaths, d: DetachedTrees): Suspect {
  const top = d.roots[0];
  const holds = holdings(a, d.holder).filter((h) => h.label.startsWith('Detached '));
  const group = { count: d.roots.length, retainedSize: d.retainedSize, holds, module: null, detached: d };
  return groupSuspect(a, 'detached', top, d.holder, rootPath(a.snapshot, rp, top), group);
}

/** Stale copies of a reloaded module as a suspect: its path leads to the biggest copy. */
function moduleSuspect(a: HeapAnalysis, rp: RootPaths, m: ReloadedModule): Suspect {
  const copy = m.copies[0];
  // an ES module record's shortest path goes through native handles: lead it through the loader's cache instead
  const below = m.system === 'esm' && m.holder >= 0 ? pathBelow(a, m.holder, copy) : null;
  const path = below ? [...rootPath(a.snapshot, rp, m.holder), ...below] : rootPath(a.snapshot, rp, copy);
  const group = { count: m.copies.length, retainedSize: m.retainedSize, holds: m.holds, module: m };
  return groupSuspect(a, 'module', copy, m.holder >= 0 ? m.holder : copy, path, group);
}

/** A suspect about a group of objects one holder keeps (`node` the biggest), reached by one path. */
function groupSuspect(
  a: HeapAnalysis,
  kind: 'module' | 'detached',
  node: number,
  point: number,
  path: PathStep[],
  group: Pick<Suspect, 'count' | 'retainedSize' | 'holds' | 'module' | 'detached'>,
): Suspect {
  return {
    kind,
    node,
    className: a.classNames[a.classOf[node]],
    ...group,
    percent: (100 * group.retainedSize) / a.totalSize,
    accumulationPoint: point,
    chain: null,
    path,
    pathShare: 1,
    samplePath: path,
    holder: holderOf(a, path, point),
  };
}

/** An object suspect, and the node its path will end at (found before the paths are computed). */
interface ObjectSuspect {
  suspect: Suspect;
  end: number;
}

function objectSuspects(a: HeapAnalysis, threshold: number, ratio: number): ObjectSuspect[] {
  const tree = a.dominatorTree;
  const retained = a.retainedSizes;
  const userRoots = userRootFlags(a);
  const out: ObjectSuspect[] = [];
  // walk down through the funnels; only nodes over the threshold are visited, so this is a narrow walk
  const stack: [number, FunnelKind][] = [[a.snapshot.rootOrdinal, FunnelKind.Funnel]];
  while (stack.length > 0) {
    const [o, kind] = stack.pop()!;
    for (const c of tree.childrenOf(o)) {
      if (retained[c] <= threshold) break; // largest first
      const ck = funnelKind(a, c, o, kind, userRoots);
      if (ck !== FunnelKind.None) stack.push([c, ck]);
      else out.push(objectSuspect(a, c, ratio));
    }
  }
  return out;
}

function objectSuspect(a: HeapAnalysis, suspect: number, ratio: number): ObjectSuspect {
  const s = a.snapshot;
  const retained = a.retainedSizes;
  const biggest = (o: number): number => a.dominatorTree.biggestChild(o);
  let cur = suspect;
  let chain: Suspect['chain'] = null;
  let holdsOf = suspect;
  let chainNodes = 0;
  for (;;) {
    const found = chainAt(a, cur);
    if (found) {
      chain = { links: found.links, label: found.label, period: found.period };
      chainNodes = found.nodes;
      break;
    }
    const c = biggest(cur);
    if (c < 0 || retained[c] < ratio * retained[cur]) break;
    cur = c;
  }
  holdsOf = cur;
  let point = cur;
  // a backing store (a Map's table, an object's elements) reads better as the object that owns it
  const T = s.nodeType;
  const pt = s.nodeTypeOf(point);
  if (
    !chain &&
    point !== suspect &&
    (pt === T.array || pt === T.hidden) &&
    s.nodeTypeOf(a.dominators[point]) === T.object
  ) {
    point = a.dominators[point];
  }
  const holds = withAsyncContexts(a, chain ? chainHoldings(a, cur, chainNodes) : holdings(a, holdsOf));
  const next = chain ? a.dominatorTree.biggestChild(cur) : -1;
  const end = representative(a, holdsOf, holds[0]?.key, next);
  return {
    suspect: {
      kind: 'object',
      node: suspect,
      className: a.classNames[a.classOf[suspect]],
      count: 1,
      retainedSize: retained[suspect],
      percent: (100 * retained[suspect]) / a.totalSize,
      accumulationPoint: point,
      chain,
      holds,
      path: [],
      pathShare: 1,
      samplePath: [],
      holder: null,
      module: null,
    },
    end,
  };
}

/** The longest repeating group of kinds a chain may have: `object → closure → context → …` and longer links. */
const MAX_CHAIN_PERIOD = 6;

/**
 * A linked structure headed by `o`, as the dominator tree shows it: every link dominates the rest, so following
 * the biggest child repeats the same kinds with a short period: 1 (a list: Request → Request → …), 2 (a promise
 * chain: Promise → PromiseReaction → …), 3 (closures sharing a context: Object → closure → Context → Object …),
 * up to MAX_CHAIN_PERIOD. The shortest period that repeats MIN_CHAIN_LINKS times wins. Null when none does.
 */
function chainAt(a: HeapAnalysis, o: number): { links: number; nodes: number; label: string; period: number } | null {
  const s = a.snapshot;
  const sameKind = (x: number, y: number): boolean => a.classOf[x] === a.classOf[y] && s.nodeName(x) === s.nodeName(y);
  const biggest = (x: number): number => a.dominatorTree.biggestChild(x);
  // the first links' worth of the sequence, enough to tell every period
  const head = [o];
  while (head.length < MAX_CHAIN_PERIOD * MIN_CHAIN_LINKS) {
    const next = biggest(head[head.length - 1]);
    if (next < 0) break;
    head.push(next);
  }
  for (let period = 1; period <= MAX_CHAIN_PERIOD; period++) {
    const wanted = period * MIN_CHAIN_LINKS;
    if (head.length < wanted) break;
    let repeats = true;
    for (let i = period; i < wanted && repeats; i++) repeats = sameKind(head[i], head[i - period]);
    if (!repeats) continue;
    // the rest of the chain, compared with the node a period before (kept in a ring of `period` nodes)
    const ring = head.slice(wanted - period, wanted);
    let nodes = wanted;
    for (let next = biggest(head[wanted - 1]); next >= 0; next = biggest(next)) {
      if (!sameKind(next, ring[nodes % period])) break;
      ring[nodes % period] = next;
      nodes++;
    }
    const label = head
      .slice(0, period)
      .map((x) => kindLabel(a, x))
      .join(' → ');
    return { links: Math.floor(nodes / period), nodes, label, period };
  }
  return null;
}

/** Timers, immediates and promises among the holdings say which callback they run and which store they keep. */
function withAsyncContexts(a: HeapAnalysis, holds: Holding[]): Holding[] {
  return holds.map((h) => {
    const asyncContext = asyncContextOf(a, h.example);
    return asyncContext ? { ...h, asyncContext } : h;
  });
}

/**
 * The node a suspect's path ends at: the biggest member of the biggest group held at the accumulation point
 * (skipping `skip`, the next link of a chain), followed through a closure into its context and the variable
 * there that holds most of it, so the path says what the memory is.
 */
function representative(a: HeapAnalysis, point: number, key: number | undefined, skip: number): number {
  const s = a.snapshot;
  const T = s.nodeType;
  const tree = a.dominatorTree;
  const wanted = (c: number): boolean =>
    c !== skip && a.dominators[c] === point && (key === undefined || kindKey(a, c) === key);
  // a member the point refers to itself (the head of a doubly linked list, not one in the middle, which is far
  // from both ends), else the biggest
  let cur = -1;
  for (let e = s.firstEdge[point]; e < s.firstEdge[point + 1] && cur < 0; e++) {
    if (s.edgeTypeOf(e) !== s.edgeType.weak && wanted(s.edgeTarget(e))) cur = s.edgeTarget(e);
  }
  for (const c of cur < 0 ? tree.childrenOf(point) : []) {
    if (wanted(c)) {
      cur = c;
      break;
    }
  }
  if (cur < 0) return point;
  const isContext = (o: number): boolean => s.nodeName(o) === 'system / Context';
  // object → closure (a listener, a timer's callback) → its context → the variable in it
  for (let depth = 0; depth < 4 && tree.childCount(cur) > 0; depth++) {
    const c = tree.biggestChild(cur);
    if (a.retainedSizes[c] < 0.5 * a.retainedSizes[cur]) break;
    const fromContext = isContext(cur);
    const step = fromContext
      ? !isContext(c)
      : s.nodeTypeOf(cur) === T.closure
        ? isContext(c)
        : s.nodeTypeOf(c) === T.closure;
    if (!step) break;
    cur = c;
    if (fromContext) break; // reached the variable
  }
  return cur;
}
