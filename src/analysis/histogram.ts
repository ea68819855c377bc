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

// The walk over the dominator tree is the expensive part (0.35 s on an 8 M-node heap): once per analysis.
const computed = new WeakMap<HeapAnalysis, { rows: ClassRow[]; closures: ClosureTotal[] }>();

function treeTotals(a: HeapAnalysis): { rows: ClassRow[]; closures: ClosureTotal[] } {
  let totals = computed.get(a);
  if (totals === undefined) {
    totals = computeTotals(a);
    computed.set(a, totals);
  }
  return totals;
}

function computeTotals(a: HeapAnalysis): { rows: ClassRow[]; closures: ClosureTotal[] } {
  const { classOf, classNames, selfSizes, retainedSizes } = a;
  const classCount = classNames.length;
  const fns = closureNames(a);
  const { nodes, nodeFieldCount: nf, nodeNameOffset: nameOff } = a.snapshot;
  const count = new Float64Array(classCount);
  const shallow = new Float64Array(classCount);
  const retained = new Float64Array(classCount);
  const n = classOf.length;
  for (let o = 0; o < n; o++) {
    const size = selfSizes[o];
    if (size === 0) continue;
    count[classOf[o]]++;
    shallow[classOf[o]] += size;
  }

  // depth-first over the dominator tree; open[c] > 0 while an ancestor instance of class c is counted, and
  // fnOpen[f] while an ancestor closure of function f is
  const { firstChild, children } = a.dominatorTree;
  const open = new Uint32Array(classCount);
  const fnOpen = new Uint32Array(fns.names.length);
  const fnRetained = new Float64Array(fns.names.length);
  const stack = new Uint32Array(n + 1); // node, with flag bits for what it opened
  const cursor = new Uint32Array(n + 1); // next child position of the node at the same depth
  const OPENED = 0x80000000;
  const FN_OPENED = 0x40000000;
  const NODE = 0x3fffffff;
  let top = 0;
  let o = a.snapshot.rootOrdinal;
  for (;;) {
    // enter o
    const c = classOf[o];
    let entry = o;
    const hasChildren = firstChild[o] !== firstChild[o + 1];
    if (selfSizes[o] !== 0 && open[c] === 0) {
      retained[c] += retainedSizes[o];
      if (hasChildren) {
        open[c]++;
        entry = (entry | OPENED) >>> 0;
      }
    }
    if (c === fns.classId) {
      const f = fns.idOfName[nodes[o * nf + nameOff]];
      if (fnOpen[f] === 0) {
        fnRetained[f] += retainedSizes[o];
        if (hasChildren) {
          fnOpen[f]++;
          entry = (entry | FN_OPENED) >>> 0;
        }
      }
    }
    stack[top] = entry;
    cursor[top] = firstChild[o];
    top++;
    // the next node to enter: the next child of the deepest node that has one left
    o = -1;
    while (top > 0) {
      const e = stack[top - 1];
      const p = e & NODE;
      const k = cursor[top - 1];
      if (k < firstChild[p + 1]) {
        cursor[top - 1] = k + 1;
        o = children[k];
        break;
      }
      top--;
      if (e & OPENED) open[classOf[p]]--;
      if (e & FN_OPENED) fnOpen[fns.idOfName[nodes[p * nf + nameOff]]]--;
    }
    if (o < 0) break;
  }

  const closures = fns.names.map(
    (nameIndex, f): ClosureTotal => ({
      nameIndex,
      count: fns.count[f],
      retainedSize: fnRetained[f],
      first: fns.first[f],
    }),
  );

  const rows: ClassRow[] = [];
  for (let c = 0; c < classCount; c++) {
    if (count[c] === 0) continue;
    rows.push({ className: classNames[c], count: count[c], shallowSize: shallow[c], retainedSize: retained[c] });
  }
  return { rows, closures };
}

/**
 * The closures' functions, numbered densely by name (`idOfName`, per string index), the class id closures
 * have (DevTools' one class "Function"; -1 without closures), and per function its name, count and first instance.
 */
function closureNames(a: HeapAnalysis): {
  classId: number;
  idOfName: Int32Array;
  names: number[];
  count: number[];
  first: number[];
} {
  const s = a.snapshot;
  const { nodes, nodeFieldCount: nf } = s;
  const typeOff = s.nodeTypeOffset;
  const nameOff = s.nodeNameOffset;
  const closure = s.nodeType.closure;
  const idOfName = new Int32Array(s.strings.length).fill(-1);
  const names: number[] = [];
  const count: number[] = [];
  const first: number[] = [];
  let classId = -1;
  for (let o = 0, n = s.nodeCount; o < n; o++) {
    if (nodes[o * nf + typeOff] !== closure) continue;
    classId = a.classOf[o];
    const name = nodes[o * nf + nameOff];
    let f = idOfName[name];
    if (f < 0) {
      f = idOfName[name] = names.length;
      names.push(name);
      count.push(0);
      first.push(o);
    }
    count[f]++;
  }
  return { classId, idOfName, names, count, first };
}
