import type { SelfSizes } from './self-sizes.js';
import { classLocations } from './source-locations.js';
import type { ClassRow, HeapAnalysis } from './types.js';

export type HistogramSort = 'retained' | 'shallow' | 'count';

/**
 * The class histogram as DevTools' Summary view computes it: objects whose shown self size is 0 are left
 * out; a class's retained size adds up only its top-most instances on each dominator-tree path (an instance
 * dominated by another instance of the same class is already inside that one's retained size).
 */
export function classHistogram(a: HeapAnalysis, sort: HistogramSort = 'retained'): ClassRow[] {
  const { rows } = treeTotals(a);
  const key: (r: ClassRow) => number =
    sort === 'shallow' ? (r) => r.shallowSize : sort === 'count' ? (r) => r.count : (r) => r.retainedSize;
  // a copy each time: callers slice, filter and re-sort it
  return rows
    .map((r) => ({ ...r }))
    .sort((x, y) => key(y) - key(x) || y.retainedSize - x.retainedSize || (x.className < y.className ? -1 : 1));
}

/** The closures of one function (DevTools puts all closures in one class, "Function"). */
export interface ClosureTotal {
  /** The function's name, as a string index. */
  nameIndex: number;
  count: number;
  /** Sum of retained sizes of the top-most instances on each dominator-tree path, as for a class. */
  retainedSize: number;
  /** The instance with the lowest ordinal. */
  first: number;
}

/** Per function name, the closures' totals (one walk over the dominator tree with the class histogram). */
export function closureTotals(a: HeapAnalysis): ClosureTotal[] {
  return treeTotals(a).closures;
}

// The walk over the dominator tree is the expensive part (0.9 s of CPU on an 8 M-node heap): once per analysis.
const computed = new WeakMap<HeapAnalysis, { rows: ClassRow[]; closures: ClosureTotal[] }>();
// analyze's split walk: the subtrees the worker thread sums (see splitTreeWalk), registered by the engine
const splits = new WeakMap<HeapAnalysis, TreeWalkUnits & { part: Promise<TreeSums | null> }>();

function treeTotals(a: HeapAnalysis): { rows: ClassRow[]; closures: ClosureTotal[] } {
  let totals = computed.get(a);
  if (totals === undefined) {
    const walker = new TreeWalker(treeWalkInput(a));
    walker.walk([a.snapshot.rootOrdinal], 0, 1, null);
    totals = computeTotals(a, walker.done());
    computed.set(a, totals);
  }
  return totals;
}

/**
 * The histogram's walk cut in pieces both threads take from (splitTreeWalk): the subtrees of `units` (biggest
 * first) in `chunks`, claimed through a shared counter; the nodes above them, set in `skip`, are walked by
 * whoever calls prepareTreeTotals.
 */
export interface TreeWalkUnits {
  readonly units: Uint32Array;
  /** Chunk k is units[chunks[k] … chunks[k+1]-1]; shared. */
  readonly chunks: Uint32Array;
  /** The next chunk to claim (Atomics.add); shared. */
  readonly next: Int32Array;
  /** A bit per node: set for each of `units` (the walk from the root steps over them). */
  readonly skip: Uint32Array;
}

/** Registers the units the worker thread walks too, and its sums to come (analyzeSnapshotParallel). */
export function setTreeWalkSplit(a: HeapAnalysis, split: TreeWalkUnits & { part: Promise<TreeSums | null> }): void {
  splits.set(a, split);
}

/**
 * Computes the class histogram's totals with the worker thread's help, when the engine arranged it: this thread
 * walks the nodes above the units, then claims units until none are left, then adds the worker's sums (exact:
 * sums of whole byte counts). Should the worker fail, the units it claimed are walked here. Later calls of
 * classHistogram and closureTotals use the result.
 */
export async function prepareTreeTotals(a: HeapAnalysis): Promise<void> {
  const split = splits.get(a);
  if (split === undefined || computed.has(a)) return;
  const input = treeWalkInput(a);
  const walker = new TreeWalker(input);
  walker.walk([a.snapshot.rootOrdinal], 0, 1, split.skip);
  const mine = new Uint8Array(split.chunks.length);
  walkUnits(walker, split, mine);
  const part = await split.part;
  if (computed.has(a)) return;
  if (part === null) {
    // the worker failed: the chunks it claimed are walked here (every chunk was claimed by one of the two)
    for (let k = 0; k + 1 < split.chunks.length; k++) {
      if (mine[k] === 0) walker.walk(split.units, split.chunks[k], split.chunks[k + 1], null);
    }
  }
  const own = walker.done();
  if (part !== null) {
    for (let c = 0; c < own.retained.length; c++) own.retained[c] += part.retained[c];
    for (let f = 0; f < own.fnRetained.length; f++) own.fnRetained[f] += part.fnRetained[f];
  }
  computed.set(a, computeTotals(a, own));
}

/** What the histogram's walk reads: typed arrays only, so that a worker thread can walk a share of the tree. */
export interface TreeWalkInput {
  firstChild: Uint32Array;
  children: Uint32Array;
  dominators: Uint32Array;
  classOf: Uint32Array;
  selfSizes: SelfSizes;
  retainedSizes: Float64Array;
  nodes: Uint32Array;
  nodeFieldCount: number;
  nodeNameOffset: number;
  root: number;
  classCount: number;
  /** The closures' class (-1 without closures), their function per name string index, and how many functions. */
  fnClass: number;
  idOfName: Int32Array;
  fnCount: number;
}

/** Per class and per closures' function, the retained size of the top-most instances (see classHistogram). */
export interface TreeSums {
  retained: Float64Array;
  fnRetained: Float64Array;
}

export function treeWalkInput(a: HeapAnalysis): TreeWalkInput {
  const fns = a.classCounts.functions;
  return {
    firstChild: a.dominatorTree.firstChild,
    children: a.dominatorTree.children,
    dominators: a.dominators,
    classOf: a.classOf,
    selfSizes: a.selfSizes,
    retainedSizes: a.retainedSizes,
    nodes: a.snapshot.nodes,
    nodeFieldCount: a.snapshot.nodeFieldCount,
    nodeNameOffset: a.snapshot.nodeNameOffset,
    root: a.snapshot.rootOrdinal,
    classCount: a.classNames.length,
    fnClass: fns.classId,
    idOfName: fns.idOfName,
    fnCount: fns.names.length,
  };
}

// stack entries: a node to enter, or (top bits) the exit of one that opened its class or its function
const NODE = 0x3fffffff;
const CLASS_EXIT = 0x80000000;
const FN_EXIT = 0xc0000000;

/**
 * The histogram's walk over the dominator tree, a subtree at a time. Depth first; open[c] > 0 while an ancestor
 * instance of class c is counted, and fnOpen[f] while an ancestor closure of function f is (objects shown with
 * self size 0 are left out of their class, not of their function). A subtree below the root starts with its
 * ancestors' classes and functions open: an ancestor instance with a shown size is counted itself or sits under a
 * counted one of its class. A node's children are pushed at once, so their loads do not wait on one another; an
 * exit entry under them undoes what the node opened.
 */
export class TreeWalker {
  private readonly sums: TreeSums;
  private readonly open: Uint32Array;
  private readonly fnOpen: Uint32Array;
  private stack = new Uint32Array(1 << 16);
  /** The node whose ancestors-or-self are marked open (the parent of the last subtree walked), or -1. */
  private marked = -1;

  constructor(private readonly w: TreeWalkInput) {
    this.sums = { retained: new Float64Array(w.classCount), fnRetained: new Float64Array(w.fnCount) };
    this.open = new Uint32Array(w.classCount);
    this.fnOpen = new Uint32Array(w.fnCount);
  }

  /**
   * Adds the subtrees of starts[first … end-1] (the root: the whole tree), stepping over the subtrees of the
   * nodes set in `skip`.
   */
  walk(starts: ArrayLike<number>, first: number, end: number, skip: Uint32Array | null): void {
    const w = this.w;
    const { firstChild, children, classOf, selfSizes, retainedSizes, nodes, fnClass, idOfName } = w;
    const nf = w.nodeFieldCount;
    const nameOff = w.nodeNameOffset;
    const { retained, fnRetained } = this.sums;
    const { open, fnOpen } = this;
    const fnOf = (o: number): number => idOfName[nodes[o * nf + nameOff]];
    let stack = this.stack;
    for (let i = first; i < end; i++) {
      const start = starts[i];
      const parent = start === w.root ? -1 : w.dominators[start];
      if (parent !== this.marked) {
        if (this.marked >= 0) this.mark(this.marked, 0);
        if (parent >= 0) this.mark(parent, 1);
        this.marked = parent;
      }
      let top = 0;
      stack[top++] = start;
      while (top > 0) {
        const entry = stack[--top];
        const o = entry & NODE;
        if (entry >= CLASS_EXIT) {
          if (entry >= FN_EXIT) fnOpen[fnOf(o)]--;
          else open[classOf[o]]--;
          continue;
        }
        if (skip !== null && skip[o >>> 5] & (1 << (o & 31))) continue;
        const from = firstChild[o];
        const to = firstChild[o + 1];
        if (top + (to - from) + 2 > stack.length) {
          const grown = new Uint32Array(Math.max(stack.length * 2, top + (to - from) + 2));
          grown.set(stack.subarray(0, top));
          this.stack = stack = grown;
        }
        const c = classOf[o];
        if (open[c] === 0 && selfSizes[o] !== 0) {
          retained[c] += retainedSizes[o];
          if (to !== from) {
            open[c]++;
            stack[top++] = (o | CLASS_EXIT) >>> 0;
          }
        }
        if (c === fnClass) {
          const f = fnOf(o);
          if (fnOpen[f] === 0) {
            fnRetained[f] += retainedSizes[o];
            if (to !== from) {
              fnOpen[f]++;
              stack[top++] = (o | FN_EXIT) >>> 0;
            }
          }
        }
        for (let k = from; k < to; k++) stack[top++] = children[k];
      }
    }
  }

  /** The sums of every subtree walked. */
  done(): TreeSums {
    if (this.marked >= 0) this.mark(this.marked, 0);
    this.marked = -1;
    return this.sums;
  }

  /** Sets open[c] (to `value`) for the classes of `from` and its ancestors with a shown size, fnOpen[f] for their closures' functions. */
  private mark(from: number, value: number): void {
    const { dominators, classOf, selfSizes, nodes, root, fnClass, idOfName } = this.w;
    for (let a = from; ; a = dominators[a]) {
      const c = classOf[a];
      if (selfSizes[a] !== 0) this.open[c] = value;
      if (c === fnClass) this.fnOpen[idOfName[nodes[a * this.w.nodeFieldCount + this.w.nodeNameOffset]]] = value;
      if (a === root) break;
    }
  }
}

/** Claims chunks of units (through the shared counter) and walks them until none are left; marks those it took in `mine`. */
export function walkUnits(walker: TreeWalker, split: TreeWalkUnits, mine: Uint8Array | null = null): void {
  const { units, chunks, next } = split;
  for (let k = Atomics.add(next, 0, 1); k + 1 < chunks.length; k = Atomics.add(next, 0, 1)) {
    if (mine) mine[k] = 1;
    walker.walk(units, chunks[k], chunks[k + 1], null);
  }
}

/**
 * Cuts the histogram's walk in pieces for two threads: opens the subtrees (breadth first) that hold
 * 1/UNIT_SHARE of the heap or more (retained sizes stand in for the work of walking them), within bounds (one
 * chain holding most of the heap stays one piece); the rest are the units, grouped in chunks of about
 * 1/CHUNK_SHARE of the heap each (a small unit is not worth a claim of its own), so that when the last chunks
 * are claimed, little is left for one thread alone. Null when the heap is not cut in at least two units.
 */
export function splitTreeWalk(
  tree: { firstChild: Uint32Array; children: Uint32Array },
  retainedSizes: Float64Array,
  root: number,
  shared: (bytes: number) => ArrayBufferLike = (b) => new SharedArrayBuffer(b),
): TreeWalkUnits | null {
  const { firstChild, children } = tree;
  const total = retainedSizes[root];
  // breadth first from the root: a subtree too big for a unit is opened (its children queued in its place)
  let queue = new Uint32Array(Math.max(16, firstChild[root + 1] - firstChild[root]));
  let head = 0;
  let tail = 0;
  for (let k = firstChild[root]; k < firstChild[root + 1]; k++) queue[tail++] = children[k];
  // the units in the order they are found, their chunks' bounds found on the way
  const skip = new Uint32Array((firstChild.length + 31) >>> 5);
  let units = new Uint32Array(1024);
  let count = 0;
  const bounds: number[] = [0];
  let chunk = 0;
  for (let opened = 0; head < tail; ) {
    const x = queue[head++];
    const size = retainedSizes[x];
    const from = firstChild[x];
    const to = firstChild[x + 1];
    if (size * UNIT_SHARE > total && to > from && to - from <= MAX_CHILDREN && opened < MAX_OPENED) {
      opened++;
      if (tail + (to - from) > queue.length) {
        const grown = new Uint32Array(Math.max(queue.length * 2, tail - head + (to - from)));
        grown.set(queue.subarray(head, tail));
        tail -= head;
        head = 0;
        queue = grown;
      }
      for (let k = from; k < to; k++) queue[tail++] = children[k];
      continue;
    }
    if (count === units.length) {
      const grown = new Uint32Array(units.length * 2);
      grown.set(units);
      units = grown;
    }
    units[count++] = x;
    skip[x >>> 5] |= 1 << (x & 31);
    chunk += size;
    if (chunk * CHUNK_SHARE >= total) {
      bounds.push(count);
      chunk = 0;
    }
  }
  if (count < 2) return null;
  if (bounds[bounds.length - 1] !== count) bounds.push(count);
  const chunks = new Uint32Array(shared(bounds.length * 4));
  chunks.set(bounds);
  const list = new Uint32Array(shared(count * 4));
  list.set(units.subarray(0, count));
  return { units: list, chunks, next: new Int32Array(shared(4)), skip };
}

const UNIT_SHARE = 256;
const CHUNK_SHARE = 512;
// bounds of splitTreeWalk: subtrees opened, and children of one (a node with more is not opened)
const MAX_OPENED = 10_000;
const MAX_CHILDREN = 1_000_000;

function computeTotals(
  a: HeapAnalysis,
  { retained, fnRetained }: TreeSums,
): { rows: ClassRow[]; closures: ClosureTotal[] } {
  const { classOf, classNames } = a;
  const classCount = classNames.length;
  const { count, shallowSize: shallow, functions: fns } = a.classCounts;

  const closures = fns.names.map(
    (nameIndex, f): ClosureTotal => ({
      nameIndex,
      count: fns.count[f],
      retainedSize: fnRetained[f],
      first: fns.first[f],
    }),
  );

  const locations = classLocations(a.snapshot, classOf, classCount);
  const rows: ClassRow[] = [];
  for (let c = 0; c < classCount; c++) {
    if (count[c] === 0) continue;
    const row: ClassRow = {
      className: classNames[c],
      count: count[c],
      shallowSize: shallow[c],
      retainedSize: retained[c],
    };
    const location = locations[c];
    if (location) row.location = location;
    rows.push(row);
  }
  return { rows, closures };
}
