import { type HeapSnapshot, nodesOfType } from '../snapshot/snapshot.js';
import { edgeSource } from './graph.js';
import { prefaulted } from './prefault.js';
import type { HeapAnalysis } from './types.js';

/** dist value of a node no non-weak path reaches. */
export const UNREACHED = 0xffffffff;

/**
 * Shortest paths from the GC roots over non-weak edges, as a BFS tree over the forward CSR (no retainers
 * needed): `dist[o]` is the number of edges from the root, `parentEdge[o]` the edge o was reached by.
 * Among the edges reaching a node from the same BFS level, the one a developer reads best wins (a named
 * property or variable over an array index over internal plumbing); among equally good ones, the one whose path
 * starts from the earlier root edge (the global objects come first, so ties resolve to `(global) → …` paths),
 * then the one from the parent that was itself reached by the earlier edge (of two elements of one array, the
 * lower index), then the earlier edge. The rule does not depend on the order the BFS meets the nodes in, so each
 * level is expanded in node order, reading the node and edge arrays front to back (25-40% less time than in
 * the order the nodes were found, at 8 M nodes).
 */
export interface RootPaths {
  readonly dist: Uint32Array;
  readonly parentEdge: Uint32Array;
}

/** Lower is better: how well an edge type names the reference for a developer. */
export function edgeRank(s: HeapSnapshot, edgeType: number): number {
  const T = s.edgeType;
  // shortcut edges are only taken from the root, to the global objects: the best-known start of a path
  if (edgeType === T.property || edgeType === T.context || edgeType === T.shortcut) return 0;
  if (edgeType === T.element) return 1;
  if (edgeType === T.internal) return 2;
  return 3; // hidden
}

/** Whether a path may use this edge: never weak edges; shortcut edges only from the root (the global objects). */
export function isPathEdge(s: HeapSnapshot, from: number, edgeType: number): boolean {
  if (edgeType === s.edgeType.weak) return false;
  if (edgeType === s.edgeType.shortcut) return from === s.rootOrdinal;
  return true;
}

/**
 * GC roots that hold whatever was running when the snapshot was taken (stack frames, open handle scopes): the
 * place a program keeps a leak is its persistent references, so `holderPaths` explores these last.
 */
const TRANSIENT_ROOTS = new Set(['(Handle scope)', '(Stack roots)']);

/** The microtask V8 was running when the snapshot was taken, held under (Strong roots) only while it runs. */
const TRANSIENT_EDGE_NAMES = new Set(['current_microtask']);

/** Extra cost of an edge into a transient root, so paths through the program's own references come first. */
const TRANSIENT_PENALTY = 1000;

/**
 * Whether the edge `e` from root-side node `from` (synthetic, or one of Node's native bookkeeping nodes) to `to`
 * leads into what was merely running at snapshot time: the stack, an open handle scope, the current microtask,
 * the snapshot writer's own identity maps (listed under (Strong roots)), or an entry of Node's cleanup queue
 * (sockets, handles in flight), except a module's wrapper: an ES module is held for good, and in Node that queue
 * is the one short way to it, so a module-level variable reads `… → leaky.mjs (module) → context → name`.
 */
export function isTransientRootEdge(s: HeapSnapshot, from: number, e: number, to: number): boolean {
  const fromType = s.nodeTypeOf(from);
  const { synthetic, native } = s.nodeType;
  if (fromType !== synthetic && fromType !== native) return false;
  const t = s.edgeTypeOf(e);
  if (t === s.edgeType.element || t === s.edgeType.hidden) {
    if (fromType === native) return s.nodeName(from) === 'Node / CleanupQueue' && !isModuleWrapper(s, to);
    return s.nodeTypeOf(to) === synthetic && TRANSIENT_ROOTS.has(s.nodeName(to));
  }
  const name = s.edgeName(e);
  if (TRANSIENT_EDGE_NAMES.has(name)) return true;
  return fromType === synthetic && name.endsWith('IdentityMapBase');
}

function isModuleWrapper(s: HeapSnapshot, o: number): boolean {
  return s.nodeTypeOf(o) === s.nodeType.native && s.nodeName(o).endsWith('Node / ModuleWrap');
}

export interface RootPathOptions {
  /**
   * Holder paths: reach nodes from the stack and handle scopes only when nothing persistent (globals, contexts,
   * global handles) reaches them, so a path names the variable that keeps the object rather than the frame
   * that happened to touch it. Off (the default): plain shortest paths.
   */
  holderPaths?: boolean;
  /**
   * Stop once these nodes are reached (after the whole BFS level, so their names are the best of that level):
   * most of a heap lies deeper than the objects a report names. Nodes not reached by then have no path.
   */
  targets?: readonly number[];
  /**
   * The edges isTransientRootEdge accepts, as listed by transientRootEdges (for a thread without the strings
   * it needs); computed here when absent.
   */
  transientEdges?: ArrayLike<number>;
  /**
   * Three arrays of at least nodeCount entries nothing else uses any more, for dist, parentEdge and the BFS's
   * working arrays (a worker thread passes the dominator pass's leftovers, in shared memory); allocated when absent.
   */
  scratch?: [Uint32Array, Uint32Array, Uint32Array];
}

/** Every edge isTransientRootEdge accepts (few: only edges from synthetic and native nodes are looked at). */
export function transientRootEdges(s: HeapSnapshot): number[] {
  const out: number[] = [];
  const { synthetic, native } = s.nodeType;
  const { element, hidden } = s.edgeType;
  const { nodeTypes: types, edgeTypes, edgeNames, firstEdge } = s;
  // a root's many edges share a few names: the verdict per name's string index, for each of the two node types
  // (0 not judged yet, 1 no, 2 yes), so that each name is read as text once
  const verdicts = [synthetic, native].map(() => new Uint8Array(s.strings.length));
  for (const v of nodesOfType(s, synthetic, native)) {
    const verdictOfName = verdicts[types[v] === synthetic ? 0 : 1];
    for (let e = firstEdge[v], end = firstEdge[v + 1]; e < end; e++) {
      const t = edgeTypes[e];
      if (t === element || t === hidden) {
        // named by numbers: a synthetic root's link to a transient root, or a cleanup queue's entry
        if (isTransientRootEdge(s, v, e, s.edgeTarget(e))) out.push(e);
        continue;
      }
      const name = edgeNames[e];
      if (name >= verdictOfName.length) {
        if (isTransientRootEdge(s, v, e, s.edgeTarget(e))) out.push(e); // not a string index: judged each time
        continue;
      }
      let verdict = verdictOfName[name];
      if (verdict === 0) verdictOfName[name] = verdict = isTransientRootEdge(s, v, e, s.edgeTarget(e)) ? 2 : 1;
      if (verdict === 2) out.push(e);
    }
  }
  return out;
}

// reached[] per node, one byte: 0 while unreached, else FRESH while its parent may still change (it was found from
// the level being expanded), (1 + the rank of its parent edge) << 4, and its origin (the position of the root edge
// its path starts from, at most ORIGIN_MAX) in the low bits; so among a fresh node's candidates the smaller byte wins
const FRESH = 0x80;
const ORIGIN_MAX = 15;
const ORIGIN_BITS = 0x0f;
/** reached[] of an unreached node some transient root edge leads to (less than any reached node's byte). */
const TRANSIENT_TARGET = 0x01;
/** Levels up to this share of the nodes are sorted; bigger ones are read in order from a bit per node. */
const SORTED_LEVEL_SHARE = 256;

export function computeRootPaths(s: HeapSnapshot, opts: RootPathOptions = {}): RootPaths {
  const n = s.nodeCount;
  const { edgeTargets, edgeTypes, firstEdge } = s;
  const weak = s.edgeType.weak;
  const shortcut = s.edgeType.shortcut;
  const { synthetic, native } = s.nodeType;
  const types = s.nodeTypes;
  const holder = opts.holderPaths === true;
  // sorted, searched by sortedHas: the per-edge loop calls nothing (a call there, even one seldom taken, makes V8
  // reload the typed arrays' pointers and lengths at each edge)
  const transient = holder
    ? Uint32Array.from(new Set(Array.from(opts.transientEdges ?? transientRootEdges(s)))).sort()
    : new Uint32Array(0);
  const rankBits = new Uint8Array(s.meta.edgeTypes.length);
  for (let t = 0; t < rankBits.length; t++) rankBits[t] = (1 + edgeRank(s, t)) << 4;
  // the same past the root, 0 for the edge types no path takes there (weak, shortcut): one test per edge
  const stepBits = rankBits.map((bits, t) => (t === weak || t === shortcut ? 0 : bits));

  const [distMemory, parentMemory, workMemory] = opts.scratch ?? [new Uint32Array(n), new Uint32Array(n), null];
  // written as nodes are reached; the unreached get UNREACHED at the end (not a fill of both first: 64 MB at 8 M)
  const dist = distMemory.subarray(0, n);
  const parentEdge = parentMemory.subarray(0, n);
  // the first `kept` nodes of a level, all of a small one: the level being expanded, then the next as it is found
  const kept = Math.floor(n / SORTED_LEVEL_SHARE) + 1;
  const { reached, nextBits, levelBits, queue } = workArrays(workMemory, n, 2 * kept);
  let tail = 0;
  let found = 0;
  const root = s.rootOrdinal;
  dist[root] = 0;
  parentEdge[root] = UNREACHED;
  reached[root] = 1 << 4;
  // the root's shortcut edges (global objects) first, then its other children: their origins, the first edge wins
  let origin = 0;
  for (const pass of [0, 1]) {
    for (let e = firstEdge[root]; e < firstEdge[root + 1]; e++) {
      const t = edgeTypes[e];
      if (t === weak || (t === shortcut) !== (pass === 0)) continue;
      const w = edgeTargets[e];
      const from = Math.min(origin++, ORIGIN_MAX);
      if (reached[w] !== 0) continue;
      dist[w] = 1;
      parentEdge[w] = e;
      reached[w] = rankBits[t] | from;
      if (found++ < kept) queue[tail++] = w;
      nextBits[w >>> 4] |= 1 << (w & 15);
    }
  }
  // edges into transient roots, taken once the persistent part is done (each edge is looked at once: at most all)
  const deferred = new Uint32Array(transient.length);
  // nodes reached by deferred edges, sorted by dist: each joins the level of its dist
  let seeds: { node: number; dist: number; key: number }[] = [];
  let seedAt = 0;
  // with targets: how many are still unreached, and the last BFS level to expand (the one that reached the
  // last target, finished so each target keeps the best-named edge from that level)
  const wanted = opts.targets ? new Uint8Array(n) : null;
  let remaining = 0;
  for (const t of opts.targets ?? []) {
    if (wanted && wanted[t] === 0 && reached[t] === 0) {
      wanted[t] = 1;
      remaining++;
    }
  }
  // the nodes a transient edge leads to, while unreached, hold TRANSIENT_TARGET, so that the per-edge loop looks
  // the edge up only for them
  const transientTargets = holder ? Array.from(transient, (e) => edgeTargets[e]) : [];
  for (const w of transientTargets) if (reached[w] === 0) reached[w] = TRANSIENT_TARGET;
  const b: BfsState = {
    firstEdge,
    edgeTypes,
    edgeTargets,
    nodeTypes: types,
    synthetic,
    native,
    stepBits,
    dist,
    parentEdge,
    queue,
    reached,
    transient,
    deferred,
    wanted,
    nextBits,
    levelBits,
    kept,
    tail,
    found,
    deferredCount: 0,
    remaining,
    stopAfter: UNREACHED,
  };
  const bigLevel = n / SORTED_LEVEL_SHARE;
  let levelStart = 0;
  let d = 1;
  for (;;) {
    for (; d <= b.stopAfter; d++) {
      // the level found last: all of its nodes in b.nextBits, the first `kept` in queue[levelStart..b.tail)
      while (seedAt < seeds.length && seeds[seedAt].dist === d) {
        const w = seeds[seedAt++].node;
        if (b.found++ < kept) queue[b.tail++] = w;
        b.nextBits[w >>> 4] |= 1 << (w & 15);
      }
      if (b.found === 0) {
        if (seedAt === seeds.length) break;
        d = seeds[seedAt].dist - 1; // nothing at this dist: on to the next seed's
        continue;
      }
      // a small level is moved to the queue's front and sorted, its fresh flags cleared (its parents are final)
      // and its bits cleared; a big one is read from its bits in node order, its fresh flags cleared as it goes
      // and its bits telling its nodes from the fresh ones until then
      // (and the first level, however small: so the bits' code has run, and V8 has seen its types, before the
      // first big level, which would otherwise throw the optimized loop away and run in the interpreter meanwhile)
      const big = b.found > bigLevel || d === 1;
      let levelEnd = 0;
      if (big) {
        const level = b.nextBits;
        b.nextBits = b.levelBits;
        b.levelBits = level;
      } else {
        queue.copyWithin(0, levelStart, b.tail);
        levelEnd = b.tail - levelStart;
        sortSmallLevel(queue, levelEnd, reached, b.nextBits);
      }
      b.tail = levelEnd;
      b.found = 0;
      for (let k = seedAt; k < seeds.length && seeds[k].dist === d + 1; k++) {
        reached[seeds[k].node] |= FRESH;
        dist[seeds[k].node] = seeds[k].key;
      }
      expandLevel(b, d, levelEnd, big);
      if (big) b.levelBits.fill(0);
      levelStart = levelEnd;
    }
    if (b.stopAfter !== UNREACHED) {
      // the level after the last one expanded still holds its parents' keys
      const level = b.nextBits;
      for (let word = 0; word < level.length; word++) {
        for (let bits = level[word]; bits !== 0; bits &= bits - 1)
          dist[(word << 4) | (31 - Math.clz32(bits & -bits))] = d;
      }
      for (let k = seedAt; k < seeds.length && seeds[k].dist === d; k++) dist[seeds[k].node] = d;
      break;
    }
    if (b.deferredCount === 0) break;
    seeds = [];
    seedAt = 0;
    const taken = deferred.slice(0, b.deferredCount);
    b.deferredCount = 0;
    for (const e of taken) {
      const w = edgeTargets[e];
      if (reached[w] > TRANSIENT_TARGET) continue;
      const src = edgeSource(s, e);
      dist[w] = dist[src] + 1;
      parentEdge[w] = e;
      reached[w] = rankBits[edgeTypes[e]] | (reached[src] & ORIGIN_BITS);
      seeds.push({ node: w, dist: dist[w], key: parentEdge[src] });
      if (wanted !== null && wanted[w] === 1 && --b.remaining === 0) b.stopAfter = dist[w] - 1;
    }
    if (seeds.length === 0) break;
    seeds.sort((x, y) => x.dist - y.dist); // stable: edge order within a dist
    d = seeds[0].dist;
  }
  for (const w of transientTargets) if (reached[w] === TRANSIENT_TARGET) reached[w] = 0;
  markUnreached(reached, dist, parentEdge);
  return { dist, parentEdge };
}

/** What the levels of computeRootPaths share: the graph's arrays, the BFS's, and the counters a level moves on. */
interface BfsState {
  readonly firstEdge: Uint32Array;
  readonly edgeTypes: Uint8Array;
  readonly edgeTargets: Uint32Array;
  readonly nodeTypes: Uint8Array;
  readonly synthetic: number;
  readonly native: number;
  readonly stepBits: Uint8Array;
  readonly dist: Uint32Array;
  readonly parentEdge: Uint32Array;
  readonly queue: Uint32Array;
  /** How many of a level's nodes the queue keeps (all of a small level's). */
  readonly kept: number;
  readonly reached: Uint8Array;
  readonly transient: Uint32Array;
  readonly deferred: Uint32Array;
  readonly wanted: Uint8Array | null;
  nextBits: Uint16Array;
  levelBits: Uint16Array;
  tail: number;
  /** Nodes found for the next level so far (the queue keeps the first `kept`). */
  found: number;
  deferredCount: number;
  remaining: number;
  stopAfter: number;
}

/**
 * Expands level d (queue[0..levelEnd) when small, sorted; its bits in levelBits when big): finds the next
 * level, chooses each fresh node's parent, defers the edges into transient roots. A function of its own, so that
 * V8 compiles this loop alone (a few ms), early and once, rather than the whole BFS again at each new path taken.
 */
function expandLevel(b: BfsState, d: number, levelEnd: number, big: boolean): void {
  const { firstEdge, edgeTypes, edgeTargets, nodeTypes: types, synthetic, native, stepBits } = b;
  const { dist, parentEdge, queue, kept, reached, transient, deferred, wanted, nextBits, levelBits } = b;
  let { tail, found, deferredCount, remaining, stopAfter } = b;
  let word = -1;
  let wordBits = 0;
  for (let i = 0; ; ) {
    let v: number;
    if (big) {
      while (wordBits === 0 && ++word < levelBits.length) wordBits = levelBits[word];
      if (wordBits === 0) break;
      v = (word << 4) | (31 - Math.clz32(wordBits & -wordBits));
      wordBits &= wordBits - 1;
    } else if (i < levelEnd) v = queue[i++];
    else break;
    dist[v] = d; // it held its parent's key until now
    const rv = reached[v];
    reached[v] = rv & ~FRESH;
    const fresh = FRESH | (rv & ORIGIN_BITS); // its children's byte but for the edge's rank
    const key = parentEdge[v];
    for (let e = firstEdge[v], end = firstEdge[v + 1]; e < end; e++) {
      const bits = stepBits[edgeTypes[e]];
      if (bits === 0) continue;
      const w = edgeTargets[e];
      const r = reached[w];
      if (r <= TRANSIENT_TARGET) {
        if (r === TRANSIENT_TARGET && (types[v] === synthetic || types[v] === native) && sortedHas(transient, e)) {
          deferred[deferredCount++] = e;
          continue;
        }
        dist[w] = key; // while w is fresh: its parent's key (dist is set when w is expanded)
        parentEdge[w] = e;
        reached[w] = fresh | bits;
        if (found++ < kept) queue[tail++] = w;
        nextBits[w >>> 4] |= 1 << (w & 15);
        if (wanted !== null && wanted[w] === 1 && --remaining === 0) stopAfter = d;
      } else if (r >= FRESH && (levelBits[w >>> 4] & (1 << (w & 15))) === 0) {
        // same length: a better name, or as good from an earlier root edge, or from a parent reached by an
        // earlier edge
        const candidate = fresh | bits;
        if (candidate < r || (candidate === r && key < dist[w])) {
          parentEdge[w] = e;
          reached[w] = candidate;
          dist[w] = key;
        }
      }
    }
  }
  b.tail = tail;
  b.found = found;
  b.deferredCount = deferredCount;
  b.remaining = remaining;
  b.stopAfter = stopAfter;
}

/**
 * The BFS's working arrays, laid out in `memory` (the worker's leftover array, its pages already mapped: 10 MB of
 * fresh ones cost ~30 ms of page faults at 8 M nodes) when it is big enough, else in a new buffer: reached, a byte
 * per node (see FRESH), what the per-edge test reads instead of dist's 32 MB; two sets of a bit per node, for the
 * next level's nodes as they are found and the big level being expanded, read in order (16 to a word: every value
 * V8 meets on the way is a small integer, never a 32-bit one that deoptimizes the loop); and the queue.
 */
function workArrays(memory: Uint32Array | null, n: number, queueLength: number) {
  const words = (n + 15) >>> 4;
  const bitsAt = (n + 1) & ~1;
  const queueAt = (bitsAt + 4 * words + 3) & ~3;
  const bytes = queueAt + 4 * queueLength;
  const fits = memory !== null && memory.byteLength >= bytes;
  const buffer = fits ? memory.buffer : new ArrayBuffer(bytes);
  const at = fits ? memory.byteOffset : 0;
  return {
    reached: prefaulted(new Uint8Array(buffer, at, n)),
    nextBits: new Uint16Array(buffer, at + bitsAt, words).fill(0),
    levelBits: new Uint16Array(buffer, at + bitsAt + 2 * words, words).fill(0),
    queue: new Uint32Array(buffer, at + queueAt, queueLength),
  };
}

/** Whether the ascending array holds x. */
function sortedHas(sorted: Uint32Array, x: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo] === x;
}

/** UNREACHED in dist and parentEdge for each node whose reached byte is 0, reading the bytes four at a time. */
function markUnreached(reached: Uint8Array, dist: Uint32Array, parentEdge: Uint32Array): void {
  const words = new Uint32Array(reached.buffer, reached.byteOffset, reached.length >>> 2);
  for (let k = 0; k < words.length; k++) {
    const x = words[k];
    // some byte of x is 0 (the usual test: only a zero byte borrows into its own top bit)
    if (((x - 0x01010101) & ~x & 0x80808080) === 0) continue;
    for (let v = k << 2; v < (k << 2) + 4; v++) {
      if (reached[v] === 0) dist[v] = parentEdge[v] = UNREACHED;
    }
  }
  for (let v = words.length << 2; v < reached.length; v++) {
    if (reached[v] === 0) dist[v] = parentEdge[v] = UNREACHED;
  }
}

/**
 * A small level, queue[0..end), in ascending order, its nodes' fresh flags cleared (their parents are final)
 * and their bits cleared (no other level's are set in those words).
 */
function sortSmallLevel(queue: Uint32Array, end: number, reached: Uint8Array, bits: Uint16Array): void {
  if (end > 1) queue.subarray(0, end).sort();
  for (let i = 0; i < end; i++) {
    const v = queue[i];
    reached[v] &= ~FRESH;
    bits[v >>> 4] = 0;
  }
}

/** One step of a path: the edge taken and the node it leads to. */
export interface PathStep {
  /** Edge ordinal (from the previous step's node, or from the root for the first step). */
  readonly edge: number;
  readonly node: number;
}

/** The BFS-tree path from the root to `target`, root side first (empty for the root or an unreached node). */
export function rootPath(s: HeapSnapshot, rp: RootPaths, target: number): PathStep[] {
  const steps: PathStep[] = [];
  if (rp.dist[target] === UNREACHED) return steps;
  for (let o = target; o !== s.rootOrdinal; ) {
    const e = rp.parentEdge[o];
    steps.push({ edge: e, node: o });
    o = edgeSource(s, e);
  }
  return steps.reverse();
}

/**
 * Up to `limit` short simple paths from the root to `target` over non-weak edges: a best-first search backwards
 * over the retainers, guided by the distance from the root (so the first path found is a shortest one and the
 * next ones branch off it where other retainers exist). Ties prefer well-named edges. With holder distances
 * (computeRootPaths' holderPaths), paths through the program's own references come before paths through the
 * stack or an open handle scope, shortest first within each.
 */
export function shortestPaths(a: HeapAnalysis, rp: RootPaths, target: number, limit: number): PathStep[][] {
  const s = a.snapshot;
  const { firstRetainer, retainerEdges, retainerNodes } = a.retainers;
  const { dist } = rp;
  const out: PathStep[][] = [];
  if (dist[target] === UNREACHED || limit <= 0) return out;
  if (target === s.rootOrdinal) return [[]];
  // partial paths as a tree of backward steps: node, the edge from it towards the target, the step it leads to
  const pNode: number[] = [target];
  const pEdge: number[] = [-1];
  const pNext: number[] = [-1];
  const pLen: number[] = [0];
  const pRank: number[] = [0];
  const pCost: number[] = [0];
  const heap: number[] = [0];
  const key = (p: number): number => pCost[p] + dist[pNode[p]];
  const before = (x: number, y: number): boolean => key(x) < key(y) || (key(x) === key(y) && pRank[x] < pRank[y]);
  const push = (p: number): void => {
    heap.push(p);
    for (let i = heap.length - 1; i > 0; ) {
      const up = (i - 1) >> 1;
      if (!before(heap[i], heap[up])) break;
      [heap[i], heap[up]] = [heap[up], heap[i]];
      i = up;
    }
  };
  const pop = (): number => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l], heap[m])) m = l;
        if (r < heap.length && before(heap[r], heap[m])) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
    return top;
  };
  const onPath = (p: number, o: number): boolean => {
    for (let q = p; q >= 0; q = pNext[q]) if (pNode[q] === o) return true;
    return false;
  };
  let budget = 200_000; // bounds the work on pathological graphs (millions of retainers)
  while (heap.length > 0 && out.length < limit && budget-- > 0) {
    const p = pop();
    const o = pNode[p];
    if (o === s.rootOrdinal) {
      const steps: PathStep[] = [];
      // pEdge[q] leads from pNode[q] to pNode[pNext[q]], so walking the links reads root side first
      for (let q = p; pNext[q] >= 0; q = pNext[q]) steps.push({ edge: pEdge[q], node: pNode[pNext[q]] });
      out.push(steps);
      continue;
    }
    for (let k = firstRetainer[o], end = firstRetainer[o + 1]; k < end; k++) {
      const from = retainerNodes[k];
      const e = retainerEdges[k];
      const t = s.edgeTypeOf(e);
      if (dist[from] === UNREACHED || !isPathEdge(s, from, t) || from === o || onPath(p, from)) continue;
      // a detour may cost at most a few extra edges over the shortest path
      if (pLen[p] + 1 + dist[from] > dist[target] + 8) continue;
      pNode.push(from);
      pEdge.push(e);
      pNext.push(p);
      pLen.push(pLen[p] + 1);
      pCost.push(pCost[p] + 1 + (isTransientRootEdge(s, from, e, o) ? TRANSIENT_PENALTY : 0));
      pRank.push(pRank[p] + edgeRank(s, t));
      push(pNode.length - 1);
    }
  }
  return out;
}
