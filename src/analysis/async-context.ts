import type { HeapSnapshot } from '../snapshot/snapshot.js';
import type { HeapAnalysis } from './types.js';

/**
 * What an asynchronous resource (a timer, an immediate, a promise) carries into its callback's async context:
 * the AsyncLocalStorage store propagated to it, and the callback it will run. A timer kept forever keeps its
 * store forever: the usual way a request's context outlives the request.
 */
export interface AsyncContext {
  /** The callback (ordinal of a closure), or -1 (promises keep theirs in reactions). */
  readonly callback: number;
  /** The store (ordinal), as AsyncLocalStorage.getStore() would return it in the callback. */
  readonly store: number;
}

/** Property names of the callback on Node's resources: Timeout, Immediate, process.nextTick's TickObject. */
const CALLBACKS = ['_onTimeout', '_onImmediate', 'callback'];

/**
 * The async context `o` carries, or null: Node 20 and 22 keep the store on the resource itself
 * (`Symbol(kResourceStore)`); Node 24 keeps an AsyncContextFrame (a Map from each AsyncLocalStorage to its
 * store) under `Symbol(kAsyncContextFrame)`.
 */
export function asyncContextOf(a: HeapAnalysis, o: number): AsyncContext | null {
  const s = a.snapshot;
  let store = -1;
  let callback = -1;
  for (let e = s.firstEdge[o]; e < s.firstEdge[o + 1]; e++) {
    if (s.edgeTypeOf(e) !== s.edgeType.property) continue;
    const name = s.edgeName(e);
    const to = s.edgeTarget(e);
    if (name === '<symbol kResourceStore>') store = isObject(s, to) ? to : -1;
    else if (name === '<symbol kAsyncContextFrame>') store = frameStore(a, to);
    else if (CALLBACKS.includes(name) && s.nodeTypeOf(to) === s.nodeType.closure) callback = to;
  }
  return store < 0 ? null : { callback, store };
}

/** The store in an AsyncContextFrame: the first object value of its table that is not an AsyncLocalStorage. */
function frameStore(a: HeapAnalysis, frame: number): number {
  const s = a.snapshot;
  const table = s.internalEdgeTarget(frame, 'table');
  if (table < 0) return -1;
  for (let e = s.firstEdge[table]; e < s.firstEdge[table + 1]; e++) {
    const to = s.edgeTarget(e);
    if (s.edgeTypeOf(e) === s.edgeType.weak || !isObject(s, to)) continue;
    if (a.classNames[a.classOf[to]] === 'AsyncLocalStorage') continue;
    return to;
  }
  return -1;
}

function isObject(s: HeapSnapshot, o: number): boolean {
  return s.nodeTypeOf(o) === s.nodeType.object && !s.nodeName(o).startsWith('system / ');
}
