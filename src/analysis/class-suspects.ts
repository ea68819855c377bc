import { isPlumbingNode, isWindow, PLUMBING_CLASSES } from './funnels.js';
import { classHistogram, closureTotals } from './histogram.js';
import { scriptNameOf } from './node-names.js';
import { type PathStep, type RootPaths, rootPath } from './paths.js';
import { prefaulted } from './prefault.js';
import type { Suspect, SuspectOptions } from './suspects.js';
import type { HeapAnalysis } from './types.js';

// Class suspects: a class, or the closures of one function, whose instances together retain more than the
// threshold without one holder. Sampled instances' paths are merged to the part most of them share.

/** A group of instances a class suspect is about: a class of the histogram, or closures of one function. */
interface InstanceGroup {
  className: string;
  count: number;
  retainedSize: number;
  /** Histogram class: its class ids (DevTools splits a name by source location). Else null. */
  classIds: number[] | null;
  /** Closure group: the function name's string index. Else -1. */
  functionName: number;
  /** Marks the group reported, so its instances' nested members are not counted again. */
  markReported(): void;
}

/** A class group accepted as a suspect, before its paths are known: the sampled instances of its own. */
export interface ClassCandidate {
  className: string;
  count: number;
  retainedSize: number;
  /** Sampled instances not inside another suspect: their paths are merged. */
  free: number[];
}

/**
 * The groups whose instances retain more than `threshold` of their own (not inside an object suspect or an
 * already accepted group, not inside the module system), biggest first, each with its sampled instances.
 */
export function classCandidates(
  a: HeapAnalysis,
  threshold: number,
  objects: readonly Suspect[],
  opts: SuspectOptions,
): ClassCandidate[] {
  const s = a.snapshot;
  const n = s.nodeCount;
  // marks: object suspects, and the groups already reported, so nested instances are not counted twice
  const inSuspect = new Uint8Array(n);
  for (const o of objects) inSuspect[o.node] = 1;
  const reportedClass = new Uint8Array(a.classNames.length);
  const reportedFunction = prefaulted(new Uint8Array(s.strings.length));
  const reportedAt = (o: number): boolean =>
    reportedClass[a.classOf[o]] === 1 ||
    (s.nodeTypeOf(o) === s.nodeType.closure && reportedFunction[nameIndex(a, o)] === 1);
  const groups = [...histogramGroups(a, threshold, reportedClass), ...closureGroups(a, threshold, reportedFunction)];
  if (groups.length === 0) return [];
  groups.sort((x, y) => y.retainedSize - x.retainedSize);
  // the funnels above object suspects retain them too: that part is not the group's own
  const heldSuspects = new Map<number, number>();
  for (const o of objects) {
    for (let cur = a.dominators[o.node]; ; cur = a.dominators[cur]) {
      heldSuspects.set(cur, (heldSuspects.get(cur) ?? 0) + o.retainedSize);
      if (cur === s.rootOrdinal) break;
    }
  }
  const out: ClassCandidate[] = [];
  const sampled = sampleInstances(a, groups, opts.classSamples ?? 100);
  groups.forEach((group, g) => {
    // the share of the sampled instances' retained size that is their own (not inside a reported suspect)
    let own = 0;
    let all = 0;
    const free: number[] = [];
    for (const o of sampled[g]) {
      all += a.retainedSizes[o];
      if (insideReported(a, o, inSuspect, reportedAt)) continue;
      // the module system's own registries (builtin modules, the require cache) are not the program's leak
      if (insidePlumbing(a, o)) continue;
      own += Math.max(0, a.retainedSizes[o] - (heldSuspects.get(o) ?? 0));
      free.push(o);
    }
    if (all === 0 || free.length === 0 || (own / all) * group.retainedSize <= threshold) return;
    group.markReported();
    out.push({ className: group.className, count: group.count, retainedSize: group.retainedSize, free });
  });
  return out;
}

/** A class candidate as a suspect: its instances' paths merged to the part most of them share. Null if no path. */
export function classSuspect(a: HeapAnalysis, rp: RootPaths, c: ClassCandidate): Suspect | null {
  const s = a.snapshot;
  const paths = c.free.map((o) => rootPath(s, rp, o)).filter((p) => p.length > 0);
  if (paths.length === 0) return null;
  const { prefix, share } = mergePaths(paths);
  // the shared holder; a backing store (a Map's table) is named by the object that owns it
  let at = prefix.length - 1;
  if (at > 0 && isBackingStore(s, prefix[at].edge)) at--;
  const point = at >= 0 ? prefix[at].node : s.rootOrdinal;
  const sample = paths.find((p) => prefix.every((st, i) => p[i]?.node === st.node)) ?? paths[0];
  const instance = sample[sample.length - 1].node;
  return {
    kind: 'class',
    node: instance,
    className: c.className,
    count: c.count,
    retainedSize: c.retainedSize,
    percent: (100 * c.retainedSize) / a.totalSize,
    accumulationPoint: point,
    chain: null,
    holds: [{ label: c.className, count: c.count, retainedSize: c.retainedSize, key: -1, example: instance }],
    path: prefix,
    pathShare: share,
    samplePath: sample,
    holder: null,
    module: null,
  };
}

/** The histogram's classes over the threshold that a program defines (not engine internals or plumbing). */
function histogramGroups(a: HeapAnalysis, threshold: number, reportedClass: Uint8Array): InstanceGroup[] {
  const histogram = classHistogram(a, 'retained');
  const wanted = histogram.filter((r) => r.retainedSize > threshold && isUserClass(r.className));
  if (wanted.length === 0) return [];
  const classIndex = new Map<string, number[]>();
  a.classNames.forEach((name, i) => {
    const list = classIndex.get(name);
    if (list) list.push(i);
    else classIndex.set(name, [i]);
  });
  return wanted.map((row) => {
    const ids = classIndex.get(row.className) ?? [];
    return {
      className: row.className,
      count: row.count,
      retainedSize: row.retainedSize,
      classIds: ids,
      functionName: -1,
      markReported: () => {
        for (const c of ids) reportedClass[c] = 1;
      },
    };
  });
}

/**
 * Closures of one function (DevTools puts all closures in one class, "Function"): thousands of small
 * callbacks held from several places, summed over their top-most instances like a class.
 */
function closureGroups(a: HeapAnalysis, threshold: number, reportedFunction: Uint8Array): InstanceGroup[] {
  const s = a.snapshot;
  const groups: InstanceGroup[] = [];
  for (const fn of closureTotals(a)) {
    const k = fn.nameIndex;
    if (fn.retainedSize <= threshold || s.strings.isEmpty(k) || definedInNode(a, fn.first)) continue;
    groups.push({
      className: `${s.strings.get(k)}()`,
      count: fn.count,
      retainedSize: fn.retainedSize,
      classIds: null,
      functionName: k,
      markReported: () => {
        reportedFunction[k] = 1;
      },
    });
  }
  return groups;
}

/** Node's own functions (their script is `node:…`) are the runtime, not the program that leaks. */
function definedInNode(a: HeapAnalysis, fn: number): boolean {
  return scriptNameOf(a.snapshot, fn).startsWith('node:');
}

function nameIndex(a: HeapAnalysis, o: number): number {
  const s = a.snapshot;
  return s.nodes[o * s.nodeFieldCount + s.nodeNameOffset];
}

/** Engine internals and plumbing are never class suspects: `(system)`, `(string)`, `(array)`, `Module`, … */
function isUserClass(name: string): boolean {
  if (name.startsWith('(') || name.startsWith('system /') || PLUMBING_CLASSES.has(name) || isWindow(name)) return false;
  if (name.includes('::')) return false; // the browser engine's C++ classes (blink::…, cppgc::…)
  // closures are one class in DevTools ("Function"): as a whole they are the program's code, not a leak
  return name !== 'Object' && name !== 'Array' && name !== 'Function' && name !== 'global';
}

/** Up to `limit` members of each group spread evenly over the snapshot, in one pass over the nodes. */
function sampleInstances(a: HeapAnalysis, groups: InstanceGroup[], limit: number): number[][] {
  const s = a.snapshot;
  const { nodes, nodeFieldCount: nf } = s;
  const types = s.nodeTypes;
  const nameOff = s.nodeNameOffset;
  const closure = s.nodeType.closure;
  const { classOf, selfSizes } = a;
  const byClass = new Int32Array(a.classNames.length).fill(-1);
  // closures' groups by function id (the histogram's numbering of function names)
  const { idOfName } = a.classCounts.functions;
  const byFunction = new Int32Array(a.classCounts.functions.names.length).fill(-1);
  let functionGroups = 0;
  groups.forEach((g, i) => {
    for (const c of g.classIds ?? []) byClass[c] = i;
    if (g.functionName >= 0 && idOfName[g.functionName] >= 0) {
      byFunction[idOfName[g.functionName]] = i;
      functionGroups++;
    }
  });
  const step = groups.map((g) => Math.max(1, Math.floor(g.count / limit)));
  // members to skip before the next sample: a countdown, not a division per member
  const skip = new Int32Array(groups.length);
  const out: number[][] = groups.map(() => []);
  const take = (g: number, o: number): void => {
    if (skip[g]-- > 0 || out[g].length >= limit) return;
    skip[g] = step[g] - 1;
    out[g].push(o);
  };
  for (let o = 0, base = 0, n = s.nodeCount; o < n; o++, base += nf) {
    const g = byClass[classOf[o]];
    if (g >= 0 && selfSizes[o] !== 0) take(g, o);
    if (functionGroups > 0 && types[o] === closure) {
      const f = byFunction[idOfName[nodes[base + nameOff]]];
      if (f >= 0) take(f, o);
    }
  }
  return out;
}

/** Whether an object suspect or a member of an already reported group dominates `o`. */
function insideReported(
  a: HeapAnalysis,
  o: number,
  inSuspect: Uint8Array,
  reportedAt: (o: number) => boolean,
): boolean {
  const root = a.snapshot.rootOrdinal;
  for (let cur = o; cur !== root; cur = a.dominators[cur]) {
    if (inSuspect[cur] || (cur !== o && reportedAt(cur))) return true;
  }
  return false;
}

function isBackingStore(s: HeapAnalysis['snapshot'], e: number): boolean {
  if (s.edgeTypeOf(e) !== s.edgeType.internal) return false;
  const name = s.edgeName(e);
  return name === 'table' || name === 'elements' || name === 'properties';
}

/** Whether the module system's own plumbing holds `o` (before any context: variables of modules are the program's). */
function insidePlumbing(a: HeapAnalysis, o: number): boolean {
  const root = a.snapshot.rootOrdinal;
  for (let cur = a.dominators[o]; cur !== root; cur = a.dominators[cur]) {
    if (a.snapshot.nodeName(cur) === 'system / Context') return false;
    if (isPlumbingNode(a, cur)) return true;
  }
  return false;
}

/**
 * MAT's "merge shortest paths": the longest path prefix that most of the paths share (the holder they have in
 * common), and the share of paths that start with it.
 */
function mergePaths(paths: PathStep[][]): { prefix: PathStep[]; share: number } {
  let matching = paths;
  const prefix: PathStep[] = [];
  for (let depth = 0; ; depth++) {
    const votes = new Map<number, PathStep[][]>();
    for (const p of matching) {
      if (depth >= p.length - 1) continue; // the instance itself is not part of the shared path
      const list = votes.get(p[depth].node);
      if (list) list.push(p);
      else votes.set(p[depth].node, [p]);
    }
    let best: PathStep[][] | null = null;
    for (const list of votes.values()) if (!best || list.length > best.length) best = list;
    if (!best || best.length * 2 < paths.length) break;
    prefix.push(best[0][depth]);
    matching = best;
  }
  return { prefix, share: matching.length / paths.length };
}
