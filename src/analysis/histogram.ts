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

// The walk over the dominator tree is the expensive part (0.25 s on an 8 M-node heap): once per analysis.
const computed = new WeakMap<HeapAnalysis, { rows: ClassRow[]; closures: ClosureTotal[] }>();

function treeTotals(a: HeapAnalysis): { rows: ClassRow[]; closures: ClosureTotal[] } {
  let totals = computed.get(a);
  if (totals === undefined) {
    totals = computeTotals(a);
    computed.set(a, totals);
  }
  return totals;
}

// stack entries: a node to enter, or (top bits) the exit of one that opened its class or its function
const NODE = 0x3fffffff;
const CLASS_EXIT = 0x80000000;
const FN_EXIT = 0xc0000000;

function computeTotals(a: HeapAnalysis): { rows: ClassRow[]; closures: ClosureTotal[] } {
  const { classOf, classNames, selfSizes, retainedSizes } = a;
  const classCount = classNames.length;
  const { count, shallowSize: shallow, functions: fns } = a.classCounts;
  const { nodes, nodeFieldCount: nf, nodeNameOffset: nameOff } = a.snapshot;
  const retained = new Float64Array(classCount);

  // depth-first over the dominator tree; open[c] > 0 while an ancestor instance of class c is counted, and
  // fnOpen[f] while an ancestor closure of function f is (objects shown with self size 0 are left out of their
  // class, not of their function). A node's children are pushed at once, so their loads do not wait on one
  // another; an exit entry under them undoes what the node opened.
  const { firstChild, children } = a.dominatorTree;
  const open = new Uint32Array(classCount);
  const fnOpen = new Uint32Array(fns.names.length);
  const fnRetained = new Float64Array(fns.names.length);
  const { idOfName, classId: fnClass } = fns;
  const fnOf = (o: number): number => idOfName[nodes[o * nf + nameOff]];
  let stack = new Uint32Array(1 << 16);
  let top = 0;
  stack[top++] = a.snapshot.rootOrdinal;
  while (top > 0) {
    const entry = stack[--top];
    const o = entry & NODE;
    if (entry >= CLASS_EXIT) {
      if (entry >= FN_EXIT) fnOpen[fnOf(o)]--;
      else open[classOf[o]]--;
      continue;
    }
    const from = firstChild[o];
    const to = firstChild[o + 1];
    if (top + (to - from) + 2 > stack.length) {
      const grown = new Uint32Array(Math.max(stack.length * 2, top + (to - from) + 2));
      grown.set(stack.subarray(0, top));
      stack = grown;
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
