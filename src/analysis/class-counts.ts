import type { HeapSnapshot } from '../snapshot/snapshot.js';
import type { SelfSizes } from './self-sizes.js';

/**
 * The closures' functions (DevTools puts all closures in one class, "Function"), numbered densely by name:
 * `idOfName` per string index (-1 for none), and per function its name, instance count and first instance.
 */
export interface ClosureFunctions {
  /** The class closures have; -1 without closures. */
  readonly classId: number;
  readonly idOfName: Int32Array;
  readonly names: number[];
  readonly count: number[];
  readonly first: number[];
}

/**
 * The class histogram's columns that need no dominator tree: per class, how many instances DevTools counts (its
 * Summary view leaves out objects shown with self size 0) and their shallow size; and the closures' functions.
 */
export interface ClassCounts {
  readonly count: Float64Array;
  readonly shallowSize: Float64Array;
  readonly functions: ClosureFunctions;
}

export function countClasses(
  s: HeapSnapshot,
  classOf: Uint32Array,
  classCount: number,
  selfSizes: SelfSizes,
): ClassCounts {
  const count = new Float64Array(classCount);
  const shallowSize = new Float64Array(classCount);
  for (let o = 0, n = s.nodeCount; o < n; o++) {
    const size = selfSizes[o];
    if (size === 0) continue;
    const c = classOf[o];
    count[c]++;
    shallowSize[c] += size;
  }
  return { count, shallowSize, functions: closureFunctions(s, classOf) };
}

function closureFunctions(s: HeapSnapshot, classOf: Uint32Array): ClosureFunctions {
  const { nodes, nodeFieldCount: nf, nodeTypes: types } = s;
  const nameOff = s.nodeNameOffset;
  const closure = s.nodeType.closure;
  const idOfName = new Int32Array(s.strings.length).fill(-1);
  const names: number[] = [];
  const count: number[] = [];
  const first: number[] = [];
  let classId = -1;
  for (let o = 0, n = s.nodeCount; o < n; o++) {
    if (types[o] !== closure) continue;
    classId = classOf[o];
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
