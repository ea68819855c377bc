import type { ClassRow, HeapAnalysis } from './types.js';

export type HistogramSort = 'retained' | 'shallow' | 'count';

/**
 * The class histogram as DevTools' Summary view computes it: objects whose shown self size is 0 are left
 * out; a class's retained size adds up only its top-most instances on each dominator-tree path (an instance
 * dominated by another instance of the same class is already inside that one's retained size).
 */
export function classHistogram(a: HeapAnalysis, sort: HistogramSort = 'retained'): ClassRow[] {
  let rows = computed.get(a);
  if (rows === undefined) {
    rows = computeHistogram(a);
    computed.set(a, rows);
  }
  const key: (r: ClassRow) => number =
    sort === 'shallow' ? (r) => r.shallowSize : sort === 'count' ? (r) => r.count : (r) => r.retainedSize;
  // a copy each time: callers slice, filter and re-sort it
  return rows
    .map((r) => ({ ...r }))
    .sort((x, y) => key(y) - key(x) || y.retainedSize - x.retainedSize || (x.className < y.className ? -1 : 1));
}

// The walk over the dominator tree is the expensive part (0.35 s on an 8 M-node heap): once per analysis.
const computed = new WeakMap<HeapAnalysis, ClassRow[]>();

function computeHistogram(a: HeapAnalysis): ClassRow[] {
  const { classOf, classNames, selfSizes, retainedSizes } = a;
  const classCount = classNames.length;
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

  // depth-first over the dominator tree; open[c] > 0 while an ancestor instance of class c is counted
  const { firstChild, children } = a.dominatorTree;
  const open = new Uint32Array(classCount);
  const stack = new Uint32Array(n + 1); // node, with the top bit set when it opened its class
  const cursor = new Uint32Array(n + 1); // next child position of the node at the same depth
  const OPENED = 0x80000000;
  let top = 0;
  let o = a.snapshot.rootOrdinal;
  for (;;) {
    // enter o
    const c = classOf[o];
    let entry = o;
    if (selfSizes[o] !== 0 && open[c] === 0) {
      retained[c] += retainedSizes[o];
      if (firstChild[o] !== firstChild[o + 1]) {
        open[c]++;
        entry = (o | OPENED) >>> 0;
      }
    }
    stack[top] = entry;
    cursor[top] = firstChild[o];
    top++;
    // the next node to enter: the next child of the deepest node that has one left
    o = -1;
    while (top > 0) {
      const e = stack[top - 1];
      const p = e & ~OPENED;
      const k = cursor[top - 1];
      if (k < firstChild[p + 1]) {
        cursor[top - 1] = k + 1;
        o = children[k];
        break;
      }
      top--;
      if (e & OPENED) open[classOf[p]]--;
    }
    if (o < 0) break;
  }

  const rows: ClassRow[] = [];
  for (let c = 0; c < classCount; c++) {
    if (count[c] === 0) continue;
    rows.push({ className: classNames[c], count: count[c], shallowSize: shallow[c], retainedSize: retained[c] });
  }
  return rows;
}
