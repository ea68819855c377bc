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
/** At most this many names joined (`owner.property`): enough to recognise the code, short enough to read. */
const MAX_NAMES = 2;
/** Unnamed engine hops skipped between the accumulation point and the name above it. */
const MAX_UNNAMED = 2;

/**
 * The last named reference on `path` up to the step that reaches `point` (or the whole path when the point is
 * not on it): the property or variable that holds the memory, with its owner's property name before it when
 * the owner is reached by a property too, and Map keys or indices after it (`timerListMap[60000]`). Null when
 * no property or variable names it (synthetic roots, internal slots only).
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
  const parts: string[] = [];
  let names = 0;
  let node = -1;
  let unnamed = 0;
  for (let i = end; i >= 0; i--) {
    const { edge, edgeType } = named[i];
    if (edgeType === 'internal' && BACKING_STORES.has(edge)) continue;
    const keyed = edge.startsWith('[');
    const isName = (edgeType === 'property' || edgeType === 'context') && edge !== '__proto__';
    // V8's own slots just below the holder (a promise's reactions): the holder is the named object above them
    if (!keyed && !isName && names === 0 && parts.length === 0 && ++unnamed <= MAX_UNNAMED) continue;
    if (node < 0 && (keyed || isName)) node = path[i].node;
    if (keyed && names === 0) {
      parts.unshift(edge);
      continue;
    }
    if (!isName) break;
    parts.unshift(names === 0 ? accessor(edge) : edge);
    names++;
    // only a property of an object has an owner worth naming; a variable (context slot) is the name itself
    if (names === MAX_NAMES || edgeType === 'context') break;
  }
  if (names === 0) return null;
  const name = parts.join('').replace(/^\./, '');
  return { name, node: node < 0 ? point : node };
}

/** `.name` for identifiers, `['name']` for the rest (event names such as `order-updated`). */
function accessor(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `['${name}']`;
}
