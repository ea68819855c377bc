import type { HeapSnapshot } from '../snapshot/snapshot.js';
import { type Holding, holdings } from './holdings.js';
import type { HeapAnalysis } from './types.js';

/**
 * Copies of one module the module system no longer uses but something still keeps (a hot reload, a config
 * reload, cache-busting dynamic imports): each copy holds everything its top level built.
 */
export interface ReloadedModule {
  /** `commonjs`: Module objects gone from require.cache; `esm`: module records of one file under several URLs. */
  readonly system: 'commonjs' | 'esm';
  /** The CJS filename, or the ES module's URL without its query and fragment. */
  readonly file: string;
  /** The copies (ordinals of `Module` or `ModuleWrap` objects), biggest retained size first. */
  readonly copies: number[];
  /** Copies no longer in use: CJS ones are out of require.cache; of ESM ones all but the newest can be. */
  readonly stale: number;
  /** Retained by the copies together. */
  readonly retainedSize: number;
  /** The object that keeps them (the requiring Module's `children`, the loader's cache); -1 if none found. */
  readonly holder: number;
  /** The holder as a reader names it: `index.js's module.children`, `the ES module loader's cache`. */
  readonly heldBy: string;
  /** What the copies hold together, by kind, at each copy's accumulation point. */
  readonly holds: Holding[];
}

const ESM_LOADER_CLASSES = new Set(['LoadCache', 'ModuleMap', 'ModuleLoader', 'ESMLoader']);

/**
 * The reloaded modules of a Node heap whose copies together retain more than `minSize`, biggest first. One pass
 * over the nodes' classes finds the `Module` and `ModuleWrap` objects (a few hundred); the rest is per module.
 */
export function findReloadedModules(a: HeapAnalysis, minSize: number): ReloadedModule[] {
  const { cjs, esm } = moduleObjects(a);
  const out = [...staleCommonJs(a, cjs), ...esmCopies(a, esm)].filter((m) => m.retainedSize > minSize);
  return out.sort((x, y) => y.retainedSize - x.retainedSize);
}

const moduleLists = new WeakMap<HeapAnalysis, { cjs: number[]; esm: number[] }>();

/**
 * The `Module` and `ModuleWrap` objects, by one pass over the nodes' classes, made once per analysis: analyze
 * asks for them before the class histogram's walk, where the other thread shares the work, instead of after.
 */
export function moduleObjects(a: HeapAnalysis): { cjs: number[]; esm: number[] } {
  const known = moduleLists.get(a);
  if (known) return known;
  const s = a.snapshot;
  const kindOfClass = new Uint8Array(a.classNames.length);
  a.classNames.forEach((name, c) => {
    if (name === 'Module') kindOfClass[c] = 1;
    else if (name === 'ModuleWrap') kindOfClass[c] = 2;
  });
  const cjs: number[] = [];
  const esm: number[] = [];
  const { classOf } = a;
  const object = s.nodeType.object;
  for (let o = 0, n = s.nodeCount; o < n; o++) {
    const k = kindOfClass[classOf[o]];
    if (k === 0 || s.nodeTypes[o] !== object) continue;
    (k === 1 ? cjs : esm).push(o);
  }
  const lists = { cjs, esm };
  moduleLists.set(a, lists);
  return lists;
}

/** CJS Modules that are not in require.cache, grouped by filename. */
function staleCommonJs(a: HeapAnalysis, modules: number[]): ReloadedModule[] {
  const s = a.snapshot;
  const cache = requireCache(s, modules);
  if (cache < 0) return []; // without the cache nothing can be told stale
  const cached = new Set<number>(); // the cache's entries: a few hundred modules, not the heap's nodes
  for (let e = s.firstEdge[cache]; e < s.firstEdge[cache + 1]; e++) {
    if (s.edgeTypeOf(e) === s.edgeType.property) cached.add(s.edgeTarget(e));
  }
  const byFile = new Map<string, number[]>();
  for (const m of modules) {
    if (cached.has(m)) continue;
    const file = stringProperty(s, m, 'filename');
    if (file === null) continue; // a user class named Module
    const list = byFile.get(file);
    if (list) list.push(m);
    else byFile.set(file, [m]);
  }
  return [...byFile].map(([file, copies]) => {
    const holder = cjsHolder(a, copies[0]);
    const parentFile = holder < 0 ? null : stringProperty(s, a.dominators[holder], 'filename');
    const heldBy =
      holder < 0
        ? 'no module'
        : parentFile !== null
          ? `${baseName(parentFile)}'s module.children`
          : a.classNames[a.classOf[holder]];
    return group(a, 'commonjs', file, copies, copies.length, holder, heldBy);
  });
}

/**
 * `require.cache`: the Module function's `_cache`. Node hides `Module.prototype.constructor` behind a getter,
 * so the function is found from an instance's hidden class: its transition tree's root map names the
 * constructor.
 */
function requireCache(s: HeapSnapshot, modules: number[]): number {
  for (const m of modules) {
    let map = internalTarget(s, m, 'map');
    for (let hops = 0; map >= 0 && hops < 256; hops++) {
      const ctor = internalTarget(s, map, 'constructor_or_back_pointer', 'constructor');
      if (ctor >= 0 && s.nodeTypeOf(ctor) === s.nodeType.closure) {
        const cache = propertyTarget(s, ctor, '_cache');
        if (cache >= 0) return cache;
        break;
      }
      map = internalTarget(s, map, 'back_pointer', 'constructor_or_back_pointer');
    }
  }
  return -1;
}

/** The target of o's internal edge named `name` (or `alt`), or -1. */
function internalTarget(s: HeapSnapshot, o: number, name: string, alt = name): number {
  const internal = s.edgeType.internal;
  for (let e = s.firstEdge[o]; e < s.firstEdge[o + 1]; e++) {
    if (s.edgeTypes[e] !== internal) continue;
    const n = s.edgeName(e);
    if (n === name || n === alt) return s.edgeTarget(e);
  }
  return -1;
}

/**
 * The requiring module's `children` array keeping a stale copy, found among its retainers (when something else
 * keeps the copy too, the array no longer dominates it); else what dominates the copy, or -1.
 */
function cjsHolder(a: HeapAnalysis, copy: number): number {
  const s = a.snapshot;
  const { firstRetainer, retainerEdges, retainerNodes } = a.retainers;
  for (let k = firstRetainer[copy]; k < firstRetainer[copy + 1]; k++) {
    if (s.edgeTypeOf(retainerEdges[k]) === s.edgeType.weak) continue;
    const from = retainerNodes[k];
    const list = s.nodeTypeOf(from) === s.nodeType.array ? a.dominators[from] : from; // elements → the Array
    if (isModuleChildren(a, list)) return list;
  }
  const d = a.dominators[copy];
  return d === s.rootOrdinal ? -1 : d;
}

/** Whether `list` is a Module's `children` array. */
function isModuleChildren(a: HeapAnalysis, list: number): boolean {
  const s = a.snapshot;
  const { firstRetainer, retainerEdges, retainerNodes } = a.retainers;
  for (let k = firstRetainer[list]; k < firstRetainer[list + 1]; k++) {
    const e = retainerEdges[k];
    const from = retainerNodes[k];
    if (
      s.edgeTypeOf(e) === s.edgeType.property &&
      s.edgeName(e) === 'children' &&
      a.classNames[a.classOf[from]] === 'Module'
    ) {
      return true;
    }
  }
  return false;
}

/** ES module records (ModuleWrap objects) of one file loaded under more than one URL. */
function esmCopies(a: HeapAnalysis, wraps: number[]): ReloadedModule[] {
  const s = a.snapshot;
  const byFile = new Map<string, number[]>();
  for (const w of wraps) {
    const url = stringProperty(s, w, 'url');
    if (url === null || url.startsWith('node:')) continue;
    const file = url.replace(/[?#].*$/s, '');
    const list = byFile.get(file);
    if (list) list.push(w);
    else byFile.set(file, [w]);
  }
  const out: ReloadedModule[] = [];
  for (const [file, copies] of byFile) {
    if (copies.length < 2) continue;
    const holder = esmHolder(a, copies[0]);
    const heldBy = holder < 0 ? 'the ES module loader' : `the ES module loader's ${a.classNames[a.classOf[holder]]}`;
    out.push(group(a, 'esm', file, copies, copies.length - 1, holder, heldBy));
  }
  return out;
}

/** The loader's cache above a module record in the dominator tree, or -1. */
function esmHolder(a: HeapAnalysis, wrap: number): number {
  const root = a.snapshot.rootOrdinal;
  for (let cur = a.dominators[wrap]; cur !== root; cur = a.dominators[cur]) {
    if (ESM_LOADER_CLASSES.has(a.classNames[a.classOf[cur]])) return cur;
  }
  return -1;
}

function group(
  a: HeapAnalysis,
  system: ReloadedModule['system'],
  file: string,
  copies: number[],
  stale: number,
  holder: number,
  heldBy: string,
): ReloadedModule {
  const retained = a.retainedSizes;
  copies.sort((x, y) => retained[y] - retained[x] || x - y);
  // copies inside another copy (one reloaded module requiring another) are counted once, by the outer one
  const isCopy = new Set(copies);
  let total = 0;
  for (const c of copies) {
    let nested = false;
    for (let cur = a.dominators[c]; cur !== a.snapshot.rootOrdinal && !nested; cur = a.dominators[cur]) {
      nested = isCopy.has(cur);
    }
    if (!nested) total += retained[c];
  }
  return { system, file, copies, stale, retainedSize: total, holder, heldBy, holds: copiesHold(a, copies) };
}

/**
 * What the copies hold at their accumulation points (MAT's 70% descent), summed over the copies by label (each
 * copy defines its own classes: same name, other class ids).
 */
function copiesHold(a: HeapAnalysis, copies: number[]): Holding[] {
  const tree = a.dominatorTree;
  const retained = a.retainedSizes;
  const sum = new Map<string, Holding>();
  for (const c of copies) {
    let cur = c;
    for (let next = tree.biggestChild(cur); next >= 0 && retained[next] >= 0.7 * retained[cur]; ) {
      cur = next;
      next = tree.biggestChild(cur);
    }
    for (const h of holdings(a, cur)) {
      const g = sum.get(h.label);
      if (g) sum.set(h.label, { ...g, count: g.count + h.count, retainedSize: g.retainedSize + h.retainedSize });
      else sum.set(h.label, { ...h });
    }
  }
  return [...sum.values()].sort((x, y) => y.retainedSize - x.retainedSize).slice(0, 4);
}

/** The target of o's property edge `name`, or -1. */
function propertyTarget(s: HeapSnapshot, o: number, name: string): number {
  const property = s.edgeType.property;
  for (let e = s.firstEdge[o]; e < s.firstEdge[o + 1]; e++) {
    if (s.edgeTypes[e] === property && s.edgeName(e) === name) return s.edgeTarget(e);
  }
  return -1;
}

/** The value of o's property `name` when it is a flat string, else null. */
function stringProperty(s: HeapSnapshot, o: number, name: string): string | null {
  const v = propertyTarget(s, o, name);
  return v >= 0 && s.nodeTypeOf(v) === s.nodeType.string ? s.nodeName(v) : null;
}

export function baseName(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}
