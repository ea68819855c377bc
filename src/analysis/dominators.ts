import type { HeapSnapshot } from '../snapshot/snapshot.js';
import { EssentialRule } from './essential-edges.js';
import { prefaulted } from './prefault.js';

export interface DominatorResult {
  /** Immediate dominator ordinal of each node; the root's is itself. */
  readonly dominators: Uint32Array;
  /** Node ordinals in DFS preorder from the root (every dominator comes before the nodes it dominates). */
  readonly order: Uint32Array;
  /** Spare scratch arrays of nodeCount + 2 entries, free for the caller to reuse. */
  readonly spare: Uint32Array[];
  /** A spare scratch buffer (the predecessor list's), free for the caller to reuse. */
  readonly spareBuffer: ArrayBufferLike;
}

/**
 * Immediate dominators (Lengauer–Tarjan's semidominators, then SNCA; iterative, typed arrays) over the
 * essential edges, with DevTools' treatment of the unreachable: nodes with no essential retainer hang from
 * the root (as if the root had an edge to each), and nodes still unreached (cycles retained only by one
 * another) are dominated by the root directly.
 *
 * Vertices are 1-based inside (v = ordinal + 1) so 0 can mean "none".
 */
export function computeDominators(s: HeapSnapshot, pageOwnedBits: Uint32Array): DominatorResult {
  const rule = new EssentialRule(s, pageOwnedBits);
  const graph = essentialPredecessors(s, rule);
  return dominatorsFromPredecessors(s, graph, dfsNumbering(s, rule, graph));
}

/**
 * The essential edges (a bit per edge) and, as CSR, the essential predecessors (1-based) of each vertex that
 * has two or more. A vertex with exactly one has it as its DFS parent, which is all the dominator pass needs
 * of it (most heap objects have a single retainer: this saves 4 B for each).
 */
export interface EssentialGraph {
  readonly essential: Uint8Array;
  /** Vertex w's predecessors are preds[firstPred[w] … firstPred[w+1]-1] (none stored for one); nodeCount + 3 entries. */
  readonly firstPred: Uint32Array;
  readonly preds: Uint32Array;
  /** A bit per vertex: has at least one essential predecessor. */
  readonly retained: Uint8Array;
  /** A bit per vertex: has two or more (the ones whose predecessors are stored). */
  readonly several: Uint8Array;
}

/** Makes a Uint32Array/Uint8Array of a given length; a worker passes one that allocates shared memory. */
export type Allocate = (bytes: number) => ArrayBuffer | SharedArrayBuffer;

export function essentialPredecessors(
  s: HeapSnapshot,
  rule: EssentialRule,
  allocate: Allocate = (bytes) => new ArrayBuffer(bytes),
): EssentialGraph {
  const graph = essentialCounts(s, rule, allocate);
  fillPredecessors(s, graph);
  return graph;
}

/**
 * The first half of essentialPredecessors: the essential edges, who has one or several predecessors, and
 * the CSR layout with room for them; `preds` is allocated but not filled (fillPredecessors does that, and
 * dfsNumbering does not need it, so two threads can do the two at once).
 */
export function essentialCounts(
  s: HeapSnapshot,
  rule: EssentialRule,
  allocate: Allocate = (bytes) => new ArrayBuffer(bytes),
): EssentialGraph {
  const n = s.nodeCount;
  const len = n + 1;
  const { edgeTargets, firstEdge } = s;
  const essential = prefaulted(new Uint8Array(allocate((s.edgeCount + 7) >>> 3)));
  const retained = prefaulted(new Uint8Array(allocate((len + 7) >>> 3)));
  const several = prefaulted(new Uint8Array(allocate((len + 7) >>> 3)));
  // counts go to w+2 for vertex w, so the prefix sums leave w's fill cursor at w+1, which ends as w+1's start
  const firstPred = prefaulted(new Uint32Array(allocate((len + 2) * 4)));
  // the first essential edge into w sets its bit in `retained`, a 1 MB bit set (8 M nodes) that stays in cache;
  // only from the second on is w counted, in firstPred's 32 MB: most vertices have one retainer and are never
  // counted (a random read and write each saved), and those with several are few and hot
  for (let v = 0; v < n; v++) {
    for (let e = firstEdge[v], end = firstEdge[v + 1]; e < end; e++) {
      const o = edgeTargets[e];
      if (!rule.counts(v, e, o)) continue;
      essential[e >>> 3] |= 1 << (e & 7);
      const w = o + 1;
      const bit = 1 << (w & 7);
      if (retained[w >>> 3] & bit) {
        several[w >>> 3] |= bit;
        firstPred[w + 2]++;
      } else {
        retained[w >>> 3] |= bit;
      }
    }
  }
  // the first retainer of each vertex with several; predecessors are stored for those only
  for (let k = 0; k < several.length; k++) {
    for (let bits = several[k]; bits !== 0; bits &= bits - 1) firstPred[(k << 3) + 31 - Math.clz32(bits & -bits) + 2]++;
  }
  for (let k = 1; k < len + 2; k++) firstPred[k] += firstPred[k - 1];
  // at least nodeCount × 8 bytes: the retained sizes reuse this buffer once the dominators are known
  const preds = new Uint32Array(allocate(Math.max(firstPred[len + 1], 2 * n) * 4), 0, firstPred[len + 1]);
  return { essential, firstPred, preds, retained, several };
}

/** The second half of essentialPredecessors: stores the predecessors of the vertices that have several. */
export function fillPredecessors(s: HeapSnapshot, graph: EssentialGraph): void {
  const { edgeTargets, firstEdge } = s;
  const { essential, firstPred, preds, several } = graph;
  for (let v = 0, n = s.nodeCount; v < n; v++) {
    for (let e = firstEdge[v], end = firstEdge[v + 1]; e < end; e++) {
      if (!(essential[e >>> 3] & (1 << (e & 7)))) continue;
      const w = edgeTargets[e] + 1;
      if (several[w >>> 3] & (1 << (w & 7))) preds[firstPred[w + 1]++] = v + 1;
    }
  }
}

/** DFS numbering of the vertices over essential edges (1-based; 0 = unreached). */
export interface DfsNumbering {
  /**
   * By DFS number: the DFS number of the vertex's DFS tree parent (1, the root's, for the roots of the orphans'
   * searches). By number, so that the dominator pass, which goes through the vertices by number, reads it in order.
   */
  readonly parent: Uint32Array;
  /** vertex[i] is the vertex numbered i (1 … reached). */
  readonly vertex: Uint32Array;
  /** The DFS number of each vertex, 0 when unreached. */
  readonly semi: Uint32Array;
  /** Scratch the search used for its stack of edge cursors; free again afterwards. */
  readonly scratch: Uint32Array;
  readonly reached: number;
}

/**
 * Iterative depth-first search from the root, then from each node no essential edge points at (DevTools
 * hangs those from the root), numbering vertices in preorder.
 */
export function dfsNumbering(
  s: HeapSnapshot,
  rule: EssentialRule,
  graph: EssentialGraph,
  allocate: Allocate = (b) => new ArrayBuffer(b),
): DfsNumbering {
  const search = new DepthFirstSearch(s, rule, allocate);
  search.fromRoot();
  return search.fromOrphans(graph.retained);
}

/**
 * The DFS of dfsNumbering in two steps: from the root needs only the essential-edge rule, so it can run
 * while another thread counts each vertex's essential predecessors; the orphans (no essential predecessor)
 * need those counts.
 */
export class DepthFirstSearch {
  private readonly parent: Uint32Array;
  /** The edge cursors of the vertices on the current path, by depth (read back in order, unlike one per vertex). */
  private readonly stack: Uint32Array;
  private readonly vertex: Uint32Array;
  private readonly semi: Uint32Array;
  /** A bit per vertex once numbered: the per-edge test reads this 1 MB (8 M nodes), not semi's 32 MB. */
  private readonly numbered: Uint32Array;
  private count = 0;

  constructor(
    private readonly s: HeapSnapshot,
    private readonly rule: EssentialRule,
    allocate: Allocate = (b) => new ArrayBuffer(b),
  ) {
    const size = s.nodeCount + 2; // one spare slot so the scratch arrays can serve as CSR offsets later
    this.parent = new Uint32Array(allocate(size * 4));
    this.stack = new Uint32Array(allocate(size * 4));
    this.vertex = new Uint32Array(allocate(size * 4));
    this.semi = new Uint32Array(allocate(size * 4));
    this.numbered = prefaulted(new Uint32Array((size + 31) >>> 5));
  }

  fromRoot(): void {
    this.search(this.s.rootOrdinal + 1, 0);
  }

  /** Searches from each vertex still unnumbered that has no essential predecessor (a bit in `retained`). */
  fromOrphans(retained: Uint8Array): DfsNumbering {
    const { numbered } = this;
    for (let v = 1, n = this.s.nodeCount; v <= n; v++) {
      if (!(numbered[v >>> 5] & (1 << (v & 31))) && !(retained[v >>> 3] & (1 << (v & 7)))) this.search(v, 1);
    }
    return { parent: this.parent, vertex: this.vertex, semi: this.semi, scratch: this.stack, reached: this.count };
  }

  // firstEdge is indexed by ordinal: vertex v's edges are firstEdge[v-1] … firstEdge[v]-1. The path is kept as
  // the DFS numbers' parent links (written in order) and a stack of edge cursors by depth: going back up reads
  // lines just written, not a cursor per vertex scattered over 32 MB.
  private search(start: number, parentNumber: number): void {
    const { parent, stack, vertex, semi, numbered, rule } = this;
    const { edgeTargets, firstEdge } = this.s;
    let count = this.count;
    let v = start;
    let vn = ++count; // v's DFS number
    semi[v] = vn;
    vertex[vn] = v;
    parent[vn] = parentNumber;
    numbered[v >>> 5] |= 1 << (v & 31);
    let e = firstEdge[v - 1];
    let end = firstEdge[v];
    let depth = 0;
    for (;;) {
      let w = 0;
      for (; e < end; e++) {
        const t = edgeTargets[e] + 1;
        if (numbered[t >>> 5] & (1 << (t & 31)) || !rule.counts(v - 1, e, t - 1)) continue;
        w = t;
        break;
      }
      if (w !== 0) {
        stack[depth++] = e + 1;
        semi[w] = ++count;
        vertex[count] = w;
        parent[count] = vn;
        numbered[w >>> 5] |= 1 << (w & 31);
        v = w;
        vn = count;
        e = firstEdge[w - 1];
        end = firstEdge[w];
      } else {
        if (depth === 0) break;
        vn = parent[vn];
        v = vertex[vn];
        e = stack[--depth];
        end = firstEdge[v];
      }
    }
    this.count = count;
  }
}

/**
 * Semidominators as in Lengauer–Tarjan (eval/link with path compression), then immediate dominators by the
 * nearest-common-ancestor walk of SNCA (Georgiadis): idom(w) is the nearest ancestor of parent(w) in the
 * dominator tree numbered no higher than sdom(w). This needs no buckets: five arrays of nodeCount + 2 instead of seven.
 */
export function dominatorsFromPredecessors(
  s: HeapSnapshot,
  graph: EssentialGraph,
  numbering: DfsNumbering,
  /** nodeCount + 2 entries to use for LT's labels instead of allocating (contents are overwritten). */
  labelScratch?: Uint32Array,
): DominatorResult {
  const n = s.nodeCount;
  const size = n + 2;
  const r = s.rootOrdinal + 1;
  const { firstPred, preds, several } = graph;
  const { parent, vertex, semi, scratch, reached } = numbering;
  let count = reached;
  const ancestor = scratch.fill(0); // LT's forest
  // LT's label of a linked vertex, kept as the label's semidominator number (all eval ever reads of it, and
  // final once a vertex is linked): one random read less per step. Set at link: eval reads no other.
  const best = labelScratch && labelScratch.length >= size ? labelScratch : new Uint32Array(size);

  let stack = new Uint32Array(1024); // path compression depth; grows on demand
  /** The smallest semidominator number on v0's path in the forest (v0 linked). */
  const evaluate = (v0: number): number => {
    let v = v0;
    let top = 0;
    while (ancestor[ancestor[v]] !== 0) {
      if (top === stack.length) {
        const bigger = new Uint32Array(stack.length * 2);
        bigger.set(stack);
        stack = bigger;
      }
      stack[top++] = v;
      v = ancestor[v];
    }
    while (top > 0) {
      const w = stack[--top];
      const a = ancestor[w];
      if (best[a] < best[w]) best[w] = best[a];
      ancestor[w] = ancestor[a];
    }
    return best[v0];
  };

  for (let i = reached; i >= 2; i--) {
    const w = vertex[i];
    const p = parent[i]; // by number, read in order
    let sw = p;
    if (several[w >>> 3] & (1 << (w & 7))) {
      sw = i; // w's own DFS number, what semi[w] holds until now
      for (let k = firstPred[w], to = firstPred[w + 1]; k < to; k++) {
        const v = preds[k];
        const a = ancestor[v];
        let su: number;
        if (a === 0) {
          // an unlinked v (not yet processed) evaluates to itself: its DFS number, 0 when unreached (retained
          // only from an unreached cycle: not a path from the root)
          su = semi[v];
          if (su === 0) continue;
        } else {
          // a linked v was reached (no semi read): one linked to a forest root evaluates to its label
          su = ancestor[a] === 0 ? best[v] : evaluate(v);
        }
        if (su < sw) sw = su;
      }
    }
    // else no predecessors stored: an orphan (hung from the root, its DFS parent) or a single retainer, which is
    // then its DFS parent: either way the semidominator is the parent's DFS number (the 1 MB bit set says so
    // without a random read of firstPred's 32 MB)
    semi[w] = sw;
    ancestor[w] = vertex[p];
    best[w] = sw;
  }

  // immediate dominators by DFS number, in preorder (a vertex's dominator is final before it is needed)
  const idom = ancestor; // the forest is done with
  idom[1] = 1;
  for (let i = 2; i <= reached; i++) {
    const sdom = semi[vertex[i]];
    let d = parent[i];
    while (d > sdom) d = idom[d];
    idom[i] = d;
  }
  // by ordinal, into parent (no longer needed: the loop above was its last reader): dom[w - 1] = the ordinal of w's dominator
  const dom = parent;
  dom[r - 1] = r - 1;
  for (let i = 2; i <= reached; i++) dom[vertex[i] - 1] = vertex[idom[i]] - 1;
  // the still unreached hang from the root, after everything else in the order
  for (let v = 1; v <= n; v++) {
    if (semi[v] === 0) {
      semi[v] = ++count;
      vertex[count] = v;
      dom[v - 1] = r - 1;
    }
  }
  // the order to ordinals, in place: order[i] = vertex[i + 1] - 1
  for (let i = 0; i < n; i++) vertex[i] = vertex[i + 1] - 1;
  return {
    dominators: dom.subarray(0, n),
    order: vertex.subarray(0, n),
    spare: [idom, best, semi],
    spareBuffer: preds.buffer,
  };
}
