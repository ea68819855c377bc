import type { HeapAnalysis } from './types.js';

/**
 * What a dominator-tree node is to the leak-suspect search. In Node nearly everything is dominated by the
 * global object, contexts and the module system; those are the program's roots, not suspects: the search
 * goes through them to the variable or property that holds the leak.
 */
export const FunnelKind = {
  /** A real object of the program: may be a suspect. */
  None: 0,
  /** A root or a holder of variables (global, synthetic roots, contexts, closures): its children are variables. */
  Funnel: 1,
  /** Module-system plumbing (CJS Module, ESM loader, require cache): its internal storage is plumbing too. */
  Plumbing: 2,
} as const;
export type FunnelKind = (typeof FunnelKind)[keyof typeof FunnelKind];

// Classes (and closures by name) of Node's module system, CJS and ESM.
export const PLUMBING_CLASSES: ReadonlySet<string> = new Set([
  'Module',
  'ModuleLoader',
  'LoadCache',
  'ResolveCache',
  'ModuleJob',
  'ModuleJobSync',
  'ModuleWrap',
  'ModuleMap',
  'ESMLoader',
  'BuiltinModule',
  'process',
]);
const PLUMBING_SYSTEM = new Set(['system / SourceTextModule', 'system / SyntheticModule', 'system / Module']);
/** Edges from plumbing to plumbing: a Module's exports, the require cache. */
const PLUMBING_EDGES = new Set(['exports', '_cache', 'cache', 'mainModule', 'children', 'moduleMap', 'module', 'map']);
/** Containers a module system keeps its registries in. */
const REGISTRY_CLASSES = new Set(['Map', 'SafeMap', 'Set', 'SafeSet', 'Array']);

/**
 * Classifies `o`, a dominator-tree child of `parent`, where `parentKind` is how the parent was classified and
 * `userRoots` flags the global objects.
 */
export function funnelKind(
  a: HeapAnalysis,
  o: number,
  parent: number,
  parentKind: FunnelKind,
  userRoots: Uint8Array,
): FunnelKind {
  const s = a.snapshot;
  const T = s.nodeType;
  const t = s.nodeTypeOf(o);
  if (o === s.rootOrdinal) return FunnelKind.Funnel;
  // synthetic roots hold engine tables: what they hold directly is plumbing
  if (t === T.synthetic) return FunnelKind.Plumbing;
  if (userRoots[o]) return FunnelKind.Funnel;
  const name = s.nodeName(o);
  // a web page's globals (Window and its JS global object) hold its variables the way Node's global does
  if (isWindow(name)) return FunnelKind.Funnel;
  // the browser engine's own C++ objects held by its persistent roots (style sheets, caches) are not the page's
  if (t === T.native && (parentKind === FunnelKind.Plumbing || s.nodeTypeOf(parent) === T.synthetic)) {
    return FunnelKind.Plumbing;
  }
  if (t === T.closure) return PLUMBING_CLASSES.has(name) ? FunnelKind.Plumbing : FunnelKind.Funnel;
  if (t === T.object || t === T.hidden) {
    if (name === 'system / Context' || name.startsWith('system / Context / ')) return FunnelKind.Funnel;
    // the native context's tables (script_context_table: top-level const/let of classic scripts) are plumbing
    if (name === 'system / NativeContext' || name.startsWith('system / NativeContext / ')) return FunnelKind.Plumbing;
    if (PLUMBING_SYSTEM.has(name) || (t === T.object && PLUMBING_CLASSES.has(name))) return FunnelKind.Plumbing;
  }
  if (parentKind !== FunnelKind.Plumbing) return FunnelKind.None;
  // below plumbing: its backing stores and the entries of its tables are plumbing; named plumbing edges too
  if (t === T.array || t === T.hidden) return FunnelKind.Plumbing;
  const parentType = s.nodeTypeOf(parent);
  const plain = t === T.object && isPlainClass(a.classNames[a.classOf[o]]);
  if (plain && (parentType === T.array || parentType === T.hidden || parentType === T.synthetic)) {
    return FunnelKind.Plumbing;
  }
  for (let e = s.firstEdge[parent]; e < s.firstEdge[parent + 1]; e++) {
    if (s.edgeTarget(e) !== o || !PLUMBING_EDGES.has(s.edgeName(e))) continue;
    if (plain || REGISTRY_CLASSES.has(a.classNames[a.classOf[o]])) return FunnelKind.Plumbing;
  }
  return FunnelKind.None;
}

/** A browser's global objects: `Window / <url>` (Blink's) and `Window [JSGlobalObject] / <url>` (V8's). */
export function isWindow(name: string): boolean {
  return name === 'Window' || name.startsWith('Window / ') || name.startsWith('Window [JSGlobalObject]');
}

/** Whether `o` is itself part of the module system (by class, or a function of it by name). */
export function isPlumbingNode(a: HeapAnalysis, o: number): boolean {
  const s = a.snapshot;
  const t = s.nodeTypeOf(o);
  if (t === s.nodeType.object || t === s.nodeType.closure) return PLUMBING_CLASSES.has(s.nodeName(o));
  return t === s.nodeType.hidden && PLUMBING_SYSTEM.has(s.nodeName(o));
}

/** Plain objects: DevTools names them `Object` or by their interface `{a, b}`. */
export function isPlainClass(className: string): boolean {
  return className === 'Object' || className.startsWith('{');
}
