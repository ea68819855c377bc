import type { AsyncContext } from './async-context.js';
import { closureName } from './path-names.js';
import { retainsMore } from './retained.js';
import type { HeapAnalysis } from './types.js';

/** What accumulates at an accumulation point: its dominated children grouped by kind. */
export interface Holding {
  /** Class, or `name()` for closures, or the V8 type for internal objects. */
  label: string;
  count: number;
  retainedSize: number;
  /** The group's key (see kindKey) and one member. */
  key: number;
  example: number;
  /** When the example is a timer, immediate or promise carrying an AsyncLocalStorage store: it and the callback. */
  asyncContext?: AsyncContext;
}

/** A group being summed up: its biggest member (ties: lowest ordinal) orders groups of equal size. */
interface Group extends Holding {
  biggest: number;
}

const MAX_HOLDINGS = 4;

/** What the `nodes` nodes of a chain (see chainAt in suspects.ts) hold besides the next link, by kind. */
export function chainHoldings(a: HeapAnalysis, head: number, nodes: number): Holding[] {
  const tree = a.dominatorTree;
  const groups = new Map<number, Group>();
  let cur = head;
  for (let i = 0; i < nodes; i++) {
    // the next link is the biggest child, except after the last link
    const next = i < nodes - 1 ? tree.biggestChild(cur) : -1;
    for (const c of tree.childrenInAnyOrder(cur)) if (c !== next) addHolding(a, groups, c);
    cur = next;
  }
  return topHoldings(a, groups);
}

/** The dominated children of `o` grouped by kind, biggest groups first. */
export function holdings(a: HeapAnalysis, o: number): Holding[] {
  const groups = new Map<number, Group>();
  for (const c of a.dominatorTree.childrenInAnyOrder(o)) addHolding(a, groups, c);
  return topHoldings(a, groups);
}

/**
 * A number per kind (see kindLabel), so grouping thousands of children makes no strings: closures by their
 * name, V8's internal objects by theirs, everything else by class.
 */
export function kindKey(a: HeapAnalysis, o: number): number {
  const s = a.snapshot;
  const t = s.nodeTypeOf(o);
  const name = s.nodes[o * s.nodeFieldCount + s.nodeNameOffset];
  if (t === s.nodeType.closure) return -1 - name;
  if (t === s.nodeType.hidden) return -1 - s.strings.length - name;
  return a.classOf[o];
}

function addHolding(a: HeapAnalysis, groups: Map<number, Group>, o: number): void {
  const key = kindKey(a, o);
  const retained = a.retainedSizes;
  const g = groups.get(key);
  if (g) {
    g.count++;
    g.retainedSize += retained[o];
    if (retainsMore(retained, o, g.biggest)) g.biggest = o;
  } else groups.set(key, { label: '', key, count: 1, retainedSize: retained[o], example: o, biggest: o });
}

/** The biggest groups, ties in the order of their biggest members (as the children's sorted order gives). */
function topHoldings(a: HeapAnalysis, groups: Map<number, Group>): Holding[] {
  const retained = a.retainedSizes;
  const top = [...groups.values()]
    .filter((g) => g.retainedSize > 0)
    .sort((x, y) => y.retainedSize - x.retainedSize || (retainsMore(retained, x.biggest, y.biggest) ? -1 : 1))
    .slice(0, MAX_HOLDINGS);
  return top.map(({ key, count, retainedSize, biggest }) => ({
    label: kindLabel(a, biggest),
    key,
    count,
    retainedSize,
    example: biggest,
  }));
}

/** How a node is grouped in reports: closures by function name, V8 internals by their name, else the class. */
export function kindLabel(a: HeapAnalysis, o: number): string {
  const s = a.snapshot;
  const t = s.nodeTypeOf(o);
  if (t === s.nodeType.closure) return `${closureName(s, o)}()`;
  const name = s.nodeName(o);
  if (name.startsWith('system / ')) return name.slice('system / '.length);
  return a.classNames[a.classOf[o]];
}
