import { FunnelKind, funnelKind, isPlumbingNode, PLUMBING_CLASSES } from './funnels.js';
import { classHistogram } from './histogram.js';
import { userRootFlags } from './overview.js';
import { closureName } from './path-names.js';
import { computeRootPaths, type PathStep, type RootPaths, rootPath } from './paths.js';
import type { ClassRow, HeapAnalysis } from './types.js';

export interface SuspectOptions {
  /** A suspect retains more than this fraction of the heap (MAT: 10%). */
  threshold?: number;
  /** Descend to the biggest child while it keeps at least this fraction of its parent (MAT: 70%). */
  accumulationRatio?: number;
  maxSuspects?: number;
  /** Instances sampled per class suspect for the merged path. */
  classSamples?: number;
  /** Reused when the caller already has them. */
  rootPaths?: RootPaths;
  histogram?: ClassRow[];
}

/** What accumulates at an accumulation point: its dominated children grouped by kind. */
export interface Holding {
  /** Class, or `name()` for closures, or the V8 type for internal objects. */
  label: string;
  count: number;
  retainedSize: number;
  /** The group's key (see kindKey) and one member. */
  key: number;
  example: number;
}

export interface Suspect {
  kind: 'object' | 'class';
  /** The suspect object, or for a class suspect one representative instance. */
  node: number;
  className: string;
  /** 1 for an object suspect; the number of instances for a class suspect. */
  count: number;
  retainedSize: number;
  /** Percent of the heap (0–100). */
  percent: number;
  /** Where the memory piles up (for a class suspect: the deepest node shared by most instances' paths). */
  accumulationPoint: number;
  /** A linked structure reported once, by its head: the number of links and their kind. */
  chain: { links: number; label: string } | null;
  holds: Holding[];
  /** From the root to the accumulation point and a representative of what it holds, root side first. */
  path: PathStep[];
  /** For a class suspect: the share of sampled instances whose path starts with `path`. */
  pathShare: number;
  /** For a class suspect: the whole path of one sampled instance that shares `path` (for an object, `path`). */
  samplePath: PathStep[];
}

/** MAT's rule: a suspect retains more than 10% of the heap. */
export const SUSPECT_THRESHOLD = 0.1;
const MAX_HOLDINGS = 4;
/** At least this many same-kind links in a row make a chain. */
const MIN_CHAIN_LINKS = 3;

/**
 * Leak suspects in Eclipse MAT's manner, adapted to Node: the biggest objects below the program's roots that
 * retain more than `threshold` of the heap, each followed down to its accumulation point; then the classes
 * whose instances together retain more than `threshold` and are not already inside an object suspect.
 * Ordered by retained size, largest first.
 */
export function findSuspects(a: HeapAnalysis, opts: SuspectOptions = {}): Suspect[] {
  const threshold = (opts.threshold ?? SUSPECT_THRESHOLD) * a.totalSize;
  const ratio = opts.accumulationRatio ?? 0.7;
  const maxSuspects = opts.maxSuspects ?? 10;
  const rp = opts.rootPaths ?? computeRootPaths(a.snapshot, { holderPaths: true });
  const objects = objectSuspects(a, threshold, ratio, rp);
  const classes = classSuspects(a, threshold, objects, rp, opts);
  return [...objects, ...classes].sort((x, y) => y.retainedSize - x.retainedSize).slice(0, maxSuspects);
}

function objectSuspects(a: HeapAnalysis, threshold: number, ratio: number, rp: RootPaths): Suspect[] {
  const { firstChild, children } = a.dominatorTree;
  const retained = a.retainedSizes;
  const userRoots = userRootFlags(a);
  const out: Suspect[] = [];
  // walk down through the funnels; only nodes over the threshold are visited, so this is a narrow walk
  const stack: [number, FunnelKind][] = [[a.snapshot.rootOrdinal, FunnelKind.Funnel]];
  while (stack.length > 0) {
    const [o, kind] = stack.pop()!;
    for (let k = firstChild[o]; k < firstChild[o + 1]; k++) {
      const c = children[k];
      if (retained[c] <= threshold) break; // children are sorted by retained size
      const ck = funnelKind(a, c, o, kind, userRoots);
      if (ck !== FunnelKind.None) stack.push([c, ck]);
      else out.push(objectSuspect(a, c, ratio, rp));
    }
  }
  return out;
}

function objectSuspect(a: HeapAnalysis, suspect: number, ratio: number, rp: RootPaths): Suspect {
  const s = a.snapshot;
  const retained = a.retainedSizes;
  const { firstChild, children } = a.dominatorTree;
  const biggest = (o: number): number => (firstChild[o] < firstChild[o + 1] ? children[firstChild[o]] : -1);
  let cur = suspect;
  let chain: Suspect['chain'] = null;
  let holdsOf = suspect;
  for (;;) {
    const links = chainLength(a, cur);
    if (links >= MIN_CHAIN_LINKS) {
      chain = { links, label: kindLabel(a, cur) };
      break;
    }
    const c = biggest(cur);
    if (c < 0 || retained[c] < ratio * retained[cur]) break;
    cur = c;
  }
  holdsOf = cur;
  let point = cur;
  // a backing store (a Map's table, an object's elements) reads better as the object that owns it
  const T = s.nodeType;
  const pt = s.nodeTypeOf(point);
  if (
    !chain &&
    point !== suspect &&
    (pt === T.array || pt === T.hidden) &&
    s.nodeTypeOf(a.dominators[point]) === T.object
  ) {
    point = a.dominators[point];
  }
  const holds = chain ? chainHoldings(a, cur) : holdings(a, holdsOf);
  const next = chain ? a.dominatorTree.children[a.dominatorTree.firstChild[cur]] : -1;
  const end = representative(a, rp, holdsOf, holds[0]?.key, next);
  const path = rootPath(s, rp, end);
  return {
    kind: 'object',
    node: suspect,
    className: a.classNames[a.classOf[suspect]],
    count: 1,
    retainedSize: retained[suspect],
    percent: (100 * retained[suspect]) / a.totalSize,
    accumulationPoint: point,
    chain,
    holds,
    path,
    pathShare: 1,
    samplePath: path,
  };
}

/**
 * The number of links when `o` heads a linked structure: its biggest dominated child is of the same kind,
 * and so on (every link of a singly linked list dominates the rest); 0 or 1 when it is not one.
 */
function chainLength(a: HeapAnalysis, o: number): number {
  const { firstChild, children } = a.dominatorTree;
  const s = a.snapshot;
  const cls = a.classOf[o];
  const name = s.nodeName(o);
  let links = 1;
  for (let cur = o; ; links++) {
    if (firstChild[cur] === firstChild[cur + 1]) break;
    const next = children[firstChild[cur]];
    if (a.classOf[next] !== cls || s.nodeName(next) !== name) break;
    cur = next;
  }
  return links;
}

/** What the links of a chain hold besides the next link, by kind. */
function chainHoldings(a: HeapAnalysis, head: number): Holding[] {
  const { firstChild, children } = a.dominatorTree;
  const cls = a.classOf[head];
  const groups = new Map<number, Holding>();
  for (let cur = head; ; ) {
    let next = -1;
    for (let k = firstChild[cur]; k < firstChild[cur + 1]; k++) {
      const c = children[k];
      if (k === firstChild[cur] && a.classOf[c] === cls) next = c;
      else addHolding(a, groups, c);
    }
    if (next < 0) break;
    cur = next;
  }
  return topHoldings(a, groups);
}

/** The dominated children of `o` grouped by kind, biggest groups first. */
function holdings(a: HeapAnalysis, o: number): Holding[] {
  const { firstChild, children } = a.dominatorTree;
  const groups = new Map<number, Holding>();
  for (let k = firstChild[o]; k < firstChild[o + 1]; k++) addHolding(a, groups, children[k]);
  return topHoldings(a, groups);
}

/**
 * A number per kind (see kindLabel), so grouping thousands of children makes no strings: closures by their
 * name, V8's internal objects by theirs, everything else by class.
 */
function kindKey(a: HeapAnalysis, o: number): number {
  const s = a.snapshot;
  const t = s.nodeTypeOf(o);
  const name = s.nodes[o * s.nodeFieldCount + s.nodeNameOffset];
  if (t === s.nodeType.closure) return -1 - name;
  if (t === s.nodeType.hidden) return -1 - s.strings.length - name;
  return a.classOf[o];
}

function addHolding(a: HeapAnalysis, groups: Map<number, Holding>, o: number): void {
  const key = kindKey(a, o);
  const g = groups.get(key);
  if (g) {
    g.count++;
    g.retainedSize += a.retainedSizes[o];
  } else groups.set(key, { label: '', key, count: 1, retainedSize: a.retainedSizes[o], example: o });
}

function topHoldings(a: HeapAnalysis, groups: Map<number, Holding>): Holding[] {
  const top = [...groups.values()]
    .filter((g) => g.retainedSize > 0)
    .sort((x, y) => y.retainedSize - x.retainedSize)
    .slice(0, MAX_HOLDINGS);
  for (const g of top) g.label = kindLabel(a, g.example);
  return top;
}

/**
 * The node a suspect's path ends at: the biggest member of the biggest group held at the accumulation point
 * (skipping `skip`, the next link of a chain), followed through a closure into its context and the variable
 * there that holds most of it, so the path says what the memory is.
 */
function representative(a: HeapAnalysis, rp: RootPaths, point: number, key: number | undefined, skip: number): number {
  const s = a.snapshot;
  const T = s.nodeType;
  const { firstChild, children } = a.dominatorTree;
  // the member of the group nearest the roots (in a doubly linked list the middle one is far from both ends)
  let cur = -1;
  for (let k = firstChild[point]; k < firstChild[point + 1]; k++) {
    const c = children[k];
    if (c === skip || (key !== undefined && kindKey(a, c) !== key)) continue;
    if (cur < 0 || rp.dist[c] < rp.dist[cur]) cur = c;
  }
  if (cur < 0) return point;
  const isContext = (o: number): boolean => s.nodeName(o) === 'system / Context';
  // object → closure (a listener, a timer's callback) → its context → the variable in it
  for (let depth = 0; depth < 4 && firstChild[cur] < firstChild[cur + 1]; depth++) {
    const c = children[firstChild[cur]];
    if (a.retainedSizes[c] < 0.5 * a.retainedSizes[cur]) break;
    const fromContext = isContext(cur);
    const step = fromContext
      ? !isContext(c)
      : s.nodeTypeOf(cur) === T.closure
        ? isContext(c)
        : s.nodeTypeOf(c) === T.closure;
    if (!step) break;
    cur = c;
    if (fromContext) break; // reached the variable
  }
  return cur;
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

// --- class suspects --------------------------------------------------------------------------------------

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

function classSuspects(
  a: HeapAnalysis,
  threshold: number,
  objects: Suspect[],
  rp: RootPaths,
  opts: SuspectOptions,
): Suspect[] {
  const s = a.snapshot;
  const n = s.nodeCount;
  // marks: object suspects, and the groups already reported, so nested instances are not counted twice
  const inSuspect = new Uint8Array(n);
  for (const o of objects) inSuspect[o.node] = 1;
  const reportedClass = new Uint8Array(a.classNames.length);
  const reportedFunction = new Uint8Array(s.strings.length);
  const reportedAt = (o: number): boolean =>
    reportedClass[a.classOf[o]] === 1 ||
    (s.nodeTypeOf(o) === s.nodeType.closure && reportedFunction[nameIndex(a, o)] === 1);
  const groups = [
    ...histogramGroups(a, threshold, opts, reportedClass),
    ...closureGroups(a, threshold, reportedFunction),
  ];
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
  const out: Suspect[] = [];
  const sampled = sampleInstances(a, groups, opts.classSamples ?? 100);
  groups.forEach((group, g) => {
    const samples = sampled[g];
    // the share of the sampled instances' retained size that is their own (not inside a reported suspect)
    let own = 0;
    let all = 0;
    const free: number[] = [];
    for (const o of samples) {
      all += a.retainedSizes[o];
      if (insideReported(a, o, inSuspect, reportedAt)) continue;
      // the module system's own registries (builtin modules, the require cache) are not the program's leak
      if (insidePlumbing(a, o)) continue;
      own += Math.max(0, a.retainedSizes[o] - (heldSuspects.get(o) ?? 0));
      free.push(o);
    }
    if (all === 0 || (own / all) * group.retainedSize <= threshold) return;
    const paths = free.map((o) => rootPath(s, rp, o)).filter((p) => p.length > 0);
    if (paths.length === 0) return;
    const { prefix, share } = mergePaths(paths);
    // the shared holder; a backing store (a Map's table) is named by the object that owns it
    let at = prefix.length - 1;
    if (at > 0 && isBackingStore(s, prefix[at].edge)) at--;
    const point = at >= 0 ? prefix[at].node : s.rootOrdinal;
    group.markReported();
    const sample = paths.find((p) => prefix.every((st, i) => p[i]?.node === st.node)) ?? paths[0];
    out.push({
      kind: 'class',
      node: sample[sample.length - 1].node,
      className: group.className,
      count: group.count,
      retainedSize: group.retainedSize,
      percent: (100 * group.retainedSize) / a.totalSize,
      accumulationPoint: point,
      chain: null,
      holds: [
        {
          label: group.className,
          count: group.count,
          retainedSize: group.retainedSize,
          key: -1,
          example: sample[sample.length - 1].node,
        },
      ],
      path: prefix,
      pathShare: share,
      samplePath: sample,
    });
  });
  return out;
}

/** The histogram's classes over the threshold that a program defines (not engine internals or plumbing). */
function histogramGroups(
  a: HeapAnalysis,
  threshold: number,
  opts: SuspectOptions,
  reportedClass: Uint8Array,
): InstanceGroup[] {
  const histogram = opts.histogram ?? classHistogram(a, 'retained');
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
 * callbacks held from several places. A first pass sums every instance's retained size per function name,
 * cheap and an upper bound; only names over the threshold get the exact sum over their top-most instances.
 */
function closureGroups(a: HeapAnalysis, threshold: number, reportedFunction: Uint8Array): InstanceGroup[] {
  const s = a.snapshot;
  const { nodes, nodeFieldCount: nf } = s;
  const typeOff = s.nodeTypeOffset;
  const nameOff = s.nodeNameOffset;
  const closure = s.nodeType.closure;
  const retainedSizes = a.retainedSizes;
  const n = s.nodeCount;
  const sum = new Float64Array(s.strings.length);
  for (let o = 0, base = 0; o < n; o++, base += nf) {
    if (nodes[base + typeOff] === closure) sum[nodes[base + nameOff]] += retainedSizes[o];
  }
  const candidate = new Uint8Array(s.strings.length);
  let any = false;
  for (let k = 0; k < sum.length; k++) {
    if (sum[k] > threshold && s.strings[k] !== '') {
      candidate[k] = 1;
      any = true;
    }
  }
  if (!any) return [];
  // one more pass for the instances of the candidates
  const instances = new Map<number, number[]>();
  for (let o = 0, base = 0; o < n; o++, base += nf) {
    if (nodes[base + typeOff] !== closure || candidate[nodes[base + nameOff]] === 0) continue;
    const list = instances.get(nodes[base + nameOff]);
    if (list) list.push(o);
    else instances.set(nodes[base + nameOff], [o]);
  }
  // an instance is top-most when no closure of the same function dominates it; the answer for each node
  // on the way up is remembered (0 unknown, 1 none above, 2 one at or above), so each node is walked once
  const root = s.rootOrdinal;
  const status = new Uint8Array(n);
  const walked: number[] = [];
  const retained = new Map<number, number>();
  for (const [k, list] of instances) {
    status.fill(0);
    const isK = (o: number): boolean => nodes[o * nf + typeOff] === closure && nodes[o * nf + nameOff] === k;
    let size = 0;
    for (const o of list) {
      let cur = a.dominators[o];
      while (cur !== root && status[cur] === 0 && !isK(cur)) {
        walked.push(cur);
        cur = a.dominators[cur];
      }
      const above = cur !== root && (status[cur] === 2 || (status[cur] === 0 && isK(cur)));
      if (cur !== root && status[cur] === 0) status[cur] = 2;
      for (const w of walked) status[w] = above ? 2 : 1;
      walked.length = 0;
      if (!above) size += retainedSizes[o];
    }
    retained.set(k, size);
  }
  const count = new Map([...instances].map(([k, list]) => [k, list.length]));
  const first = new Map([...instances].map(([k, list]) => [k, list[0]]));
  const groups: InstanceGroup[] = [];
  for (const [k, size] of retained) {
    if (size <= threshold || definedInNode(a, first.get(k)!)) continue;
    groups.push({
      className: `${s.strings[k]}()`,
      count: count.get(k)!,
      retainedSize: size,
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
  const s = a.snapshot;
  const shared = edgeTo(s, fn, 'shared');
  if (shared < 0) return false;
  // V8 names the edge `script_or_debug_info` (Node 20) or `script`
  let scriptNode = edgeTo(s, shared, 'script_or_debug_info');
  if (scriptNode < 0) scriptNode = edgeTo(s, shared, 'script');
  return scriptNode >= 0 && s.nodeName(scriptNode).startsWith('node:');
}

/** The target of `o`'s internal edge of this name, or -1. */
function edgeTo(s: HeapAnalysis['snapshot'], o: number, name: string): number {
  for (let e = s.firstEdge[o]; e < s.firstEdge[o + 1]; e++) {
    if (s.edgeTypeOf(e) === s.edgeType.internal && s.edgeName(e) === name) return s.edgeTarget(e);
  }
  return -1;
}

function nameIndex(a: HeapAnalysis, o: number): number {
  const s = a.snapshot;
  return s.nodes[o * s.nodeFieldCount + s.nodeNameOffset];
}

/** Engine internals and plumbing are never class suspects: `(system)`, `(string)`, `(array)`, `Module`, … */
function isUserClass(name: string): boolean {
  if (name.startsWith('(') || name.startsWith('system /') || PLUMBING_CLASSES.has(name)) return false;
  // closures are one class in DevTools ("Function"): as a whole they are the program's code, not a leak
  return name !== 'Object' && name !== 'Array' && name !== 'Function' && name !== 'global';
}

/** Up to `limit` members of each group spread evenly over the snapshot, in one pass over the nodes. */
function sampleInstances(a: HeapAnalysis, groups: InstanceGroup[], limit: number): number[][] {
  const s = a.snapshot;
  const { nodes, nodeFieldCount: nf } = s;
  const typeOff = s.nodeTypeOffset;
  const nameOff = s.nodeNameOffset;
  const closure = s.nodeType.closure;
  const { classOf, selfSizes } = a;
  const byClass = new Int32Array(a.classNames.length).fill(-1);
  const byFunction = new Map<number, number>();
  groups.forEach((g, i) => {
    for (const c of g.classIds ?? []) byClass[c] = i;
    if (g.functionName >= 0) byFunction.set(g.functionName, i);
  });
  const step = groups.map((g) => Math.max(1, Math.floor(g.count / limit)));
  const seen = new Float64Array(groups.length);
  const out: number[][] = groups.map(() => []);
  const take = (g: number, o: number): void => {
    if (out[g].length < limit && seen[g]++ % step[g] === 0) out[g].push(o);
  };
  for (let o = 0, base = 0, n = s.nodeCount; o < n; o++, base += nf) {
    const g = byClass[classOf[o]];
    if (g >= 0 && selfSizes[o] !== 0) take(g, o);
    if (byFunction.size > 0 && nodes[base + typeOff] === closure) {
      const f = byFunction.get(nodes[base + nameOff]);
      if (f !== undefined) take(f, o);
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
