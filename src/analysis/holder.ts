import { nameSteps } from './path-names.js';
import type { PathStep } from './paths.js';
import type { HeapAnalysis } from './types.js';

/** The variable or property a suspect's memory sits in, as the program's code names it. */
export interface Holder {
  /** `sessionCache`, `store.sessions`, `timerListMap[60000]`, `_events['order-updated']`. */
  readonly name: string;
  /** The object the name refers to (ordinal). */
  readonly node: number;
}

/** Hops a developer never writes: an object's `elements`/`properties`, a Map's `table`. */
const BACKING_STORES = new Set(['elements', 'properties', 'table']);
/** At most this many names joined (`variable.property.property`); longer chains keep both ends. */
const MAX_NAMES = 4;
/** Unnamed engine hops skipped between the accumulation point and the name above it. */
const MAX_UNNAMED = 2;

/**
 * The last named reference on `path` up to the step that reaches `point` (or the whole path when the point is
 * not on it): the property or variable that holds the memory, preceded by the properties that lead to it from
 * the nearest variable or module export (`api.interceptors.request`), and Map keys after it
 * (`timerListMap[60000]`). Null when no property or variable names it (synthetic roots, internal slots only).
 */
export function holderOf(a: HeapAnalysis, path: readonly PathStep[], point: number): Holder | null {
  let end = path.length - 1;
  for (let i = path.length - 1; i >= 0; i--) {
    if (path[i].node === point) {
      end = i;
      break;
    }
  }
  if (end < 0) return null;
  const named = nameSteps(a, path.slice(0, end + 1));
  const keys: string[] = [];
  const names: string[] = []; // accessors, the holder's own last
  let node = -1;
  let unnamed = 0;
  for (let i = end; i >= 0; i--) {
    const { edge, edgeType } = named[i];
    if (edgeType === 'internal' && BACKING_STORES.has(edge)) continue;
    const keyed = edge.startsWith('[');
    const isName = (edgeType === 'property' || edgeType === 'context') && edge !== '__proto__';
    // V8's own slots just below the holder (a promise's reactions): the holder is the named object above them
    if (!keyed && !isName && names.length === 0 && keys.length === 0 && ++unnamed <= MAX_UNNAMED) continue;
    if (node < 0 && (keyed || isName)) node = path[i].node;
    if (keyed && names.length === 0) {
      keys.unshift(edge);
      continue;
    }
    // a module's exports and symbol-keyed slots are not how the code names the holder: the name starts after them
    if (!isName || edge === 'exports' || edge.startsWith('<symbol')) break;
    names.unshift(accessor(edge));
    if (edgeType === 'context') break; // a variable: where the code's own naming starts
  }
  if (names.length === 0) return null;
  const shown =
    names.length <= MAX_NAMES ? names : [...names.slice(0, 2), '…', ...names.slice(names.length - (MAX_NAMES - 2))];
  const name = [...shown, ...keys].join('').replace(/^\./, '');
  return { name, node: node < 0 ? point : node };
}

/** `.name` for identifiers, `['name']` for the rest (event names such as `order-updated`). */
function accessor(name: string): string {
  return /^#?[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `['${name}']`;
}
