import type { AsyncContext } from '../analysis/async-context.js';
import { closureName, nameSteps, pathText } from '../analysis/path-names.js';
import type { PathStep, RootPaths } from '../analysis/paths.js';
import { functionLocation, locationText, type SourceLocation } from '../analysis/source-locations.js';
import { type DuplicateString, duplicateStrings, type StringCopies } from '../analysis/strings.js';
import { findSuspects, type Holding } from '../analysis/suspects.js';
import type { HeapAnalysis } from '../analysis/types.js';
import { formatBytes, formatCount } from '../format.js';

/** One step of a path in JSON: the reference, its V8 edge type, and the object it leads to. */
export interface PathStepJson {
  edge: string;
  edgeType: string;
  id: number;
  className: string;
  /** A function's name and where it is defined (1-based), when the step reaches a function the snapshot locates. */
  function?: string;
  location?: SourceLocation;
}

/** A leak suspect as `heapwatch analyze --json` prints it (sizes in bytes, percent of the heap 0–100). */
export interface SuspectJson {
  /** `module`: stale copies of a reloaded module (see `module`). */
  kind: 'object' | 'class' | 'module' | 'detached';
  /** The suspect object's id (for a class: one instance's). */
  id: number;
  className: string;
  count: number;
  retainedSize: number;
  percent: number;
  accumulationPoint: { id: number; className: string; retainedSize: number };
  /** A linked structure (reported once, by its head): number of links and their kind. */
  chain: { links: number; className: string; period?: number } | null;
  /**
   * What accumulates, by kind. A group of functions also says where one of them (the biggest) is defined.
   * `asyncContext`: the example member is a timer, immediate or promise carrying an AsyncLocalStorage store; the
   * callback it runs and the store it keeps (class, id, retained size).
   */
  holds: {
    className: string;
    count: number;
    retainedSize: number;
    location?: SourceLocation;
    asyncContext?: { callback: string | null; store: { className: string; id: number; retainedSize: number } };
  }[];
  /** From the GC roots (root side first) to the accumulation point and a representative of what it holds. */
  path: PathStepJson[];
  pathText: string;
  /** Class suspects: the share of sampled instances whose shortest path starts with `path` (0–1). */
  pathShare: number;
  /** The whole path of one instance (class suspects: one whose path starts with `path`; objects: `pathText`). */
  samplePathText: string;
  /** The variable or property holding the memory, as the code names it (`sessions.sessionsById`); null if none. */
  holder: { name: string; className: string; id: number } | null;
  /** For a `module` suspect: the file, its copies (`count` too), how many are stale and what keeps them. */
  module: { system: 'commonjs' | 'esm'; file: string; copies: number; stale: number; heldBy: string } | null;
  /** For a `detached` suspect: the detached DOM trees (`count` of them) and their DOM nodes. Else absent. */
  detached?: { trees: number; nodes: number };
  /** Other strong holders of the same objects (sampled), each with its short path: fix them all, not one. */
  alsoHeldBy: { name: string | null; className: string; id: number; share: number; pathText: string }[];
  /** The suspect's first line as text and HTML print it, the holder first (see suspectHeadline). */
  headline: string;
}

/** What analyze adds to its report: the leak suspects and the duplicate strings. */
export interface LeakFindings {
  suspects: SuspectJson[];
  duplicateStrings: DuplicateString[];
}

export function pathJson(a: HeapAnalysis, steps: readonly PathStep[]): { path: PathStepJson[]; pathText: string } {
  const named = nameSteps(a, steps);
  return {
    path: named.map(({ edge, edgeType, id, className }, i) => {
      const step: PathStepJson = { edge, edgeType, id, className };
      const location = functionLocation(a.snapshot, steps[i].node);
      if (location) {
        step.function = closureName(a.snapshot, steps[i].node);
        step.location = location;
      }
      return step;
    }),
    pathText: pathText(named),
  };
}

/** The functions on a path and where each is defined: `onOrderUpdated() (listeners.cjs:12:58)`, or '' if none. */
export function pathFunctionsText(path: readonly PathStepJson[]): string {
  return path
    .filter((st) => st.location)
    .map((st) => `${st.function}() (${locationText(st.location as SourceLocation)})`)
    .join(', ');
}

export function buildLeakFindings(
  a: HeapAnalysis,
  opts: { rootPaths?: RootPaths; strings?: number; stringCopies?: StringCopies } = {},
): LeakFindings {
  return {
    suspects: suspectsJson(a, opts.rootPaths),
    duplicateStrings: duplicateStrings(a, opts.strings ?? 20, opts.stringCopies),
  };
}

/** The leak suspects as analyze's JSON gives them (holder paths from `rootPaths`, or computed here). */
export function suspectsJson(a: HeapAnalysis, rootPaths?: RootPaths): SuspectJson[] {
  const s = a.snapshot;
  return findSuspects(a, { rootPaths }).map((x): SuspectJson => {
    const point = x.accumulationPoint;
    const json: Omit<SuspectJson, 'headline'> = {
      kind: x.kind,
      id: s.nodeId(x.node),
      className: x.className,
      count: x.count,
      retainedSize: x.retainedSize,
      percent: Math.round(x.percent * 10) / 10,
      accumulationPoint: {
        id: s.nodeId(point),
        className: a.classNames[a.classOf[point]],
        retainedSize: a.retainedSizes[point],
      },
      chain: x.chain ? { links: x.chain.links, className: x.chain.label, period: x.chain.period } : null,
      holds: x.holds.map((h: Holding) => {
        const held: SuspectJson['holds'][number] = { className: h.label, count: h.count, retainedSize: h.retainedSize };
        const location = functionLocation(s, h.example);
        if (location) held.location = location;
        if (h.asyncContext) held.asyncContext = asyncContextJson(a, h.asyncContext);
        return held;
      }),
      ...pathJson(a, x.path),
      pathShare: x.pathShare,
      samplePathText: x.samplePath === x.path ? pathJson(a, x.path).pathText : pathJson(a, x.samplePath).pathText,
      holder: x.holder
        ? { name: x.holder.name, className: a.classNames[a.classOf[x.holder.node]], id: s.nodeId(x.holder.node) }
        : null,
      module: x.module
        ? {
            system: x.module.system,
            file: x.module.file,
            copies: x.module.copies.length,
            stale: x.module.stale,
            heldBy: x.module.heldBy,
          }
        : null,
      ...(x.detached ? { detached: { trees: x.detached.roots.length, nodes: x.detached.nodes } } : {}),
      alsoHeldBy: (x.alsoHeldBy ?? []).map((h) => ({
        name: h.holder?.name ?? null,
        className: a.classNames[a.classOf[h.node]],
        id: s.nodeId(h.node),
        share: Math.round(h.share * 100) / 100,
        pathText: pathJson(a, h.path).pathText,
      })),
    };
    return { ...json, headline: suspectHeadline(json) };
  });
}

/**
 * A suspect's first line, the holder first as the code names it: `sessionCache (Map @12) retains 10.6 MB …`,
 * `40 stale copies of pricing-rules.js retain …, kept by index.js's module.children`.
 */
function asyncContextJson(a: HeapAnalysis, c: AsyncContext): NonNullable<SuspectJson['holds'][0]['asyncContext']> {
  return {
    callback: c.callback < 0 ? null : `${closureName(a.snapshot, c.callback)}()`,
    store: {
      className: a.classNames[a.classOf[c.store]],
      id: a.snapshot.nodeId(c.store),
      retainedSize: a.retainedSizes[c.store],
    },
  };
}

/** A C++ class of the browser engine without its template arguments: `blink::HeapVectorBacking<…>`. */
function shortClass(name: string): string {
  return name.includes('::') ? name.replace(/<.*>/, '<…>') : name;
}

export function suspectHeadline(x: Omit<SuspectJson, 'headline'>): string {
  const share = `${formatBytes(x.retainedSize)} (${x.percent.toFixed(1)}% of the heap)`;
  if (x.module) {
    const m = x.module;
    const file = m.file.slice(m.file.lastIndexOf('/') + 1);
    const copies =
      m.system === 'esm'
        ? `${formatCount(m.copies)} copies of ${file} (${formatCount(m.stale)} stale, under cache-busting URLs)`
        : `${formatCount(m.stale)} stale ${m.stale === 1 ? 'copy' : 'copies'} of ${file}`;
    return `${copies} retain ${share}, kept by ${m.heldBy}`;
  }
  if (x.detached) {
    const trees = `${formatCount(x.detached.trees)} detached DOM ${x.detached.trees === 1 ? 'tree' : 'trees'} (${formatCount(x.detached.nodes)} nodes, e.g. ${x.className})`;
    const by = x.holder
      ? `${x.holder.name} (${x.holder.className} @${x.holder.id})`
      : `${x.accumulationPoint.className} @${x.accumulationPoint.id}`;
    return `${trees} retain ${share}, kept by ${by}`;
  }
  if (x.kind === 'object') {
    const self = `${x.className} @${x.id}`;
    if (!x.holder) return `${self} retains ${share}`;
    const held =
      x.holder.id === x.id ? self : `${shortClass(x.holder.className)} @${x.holder.id} in ${shortClass(self)}`;
    return `${x.holder.name} (${held}) retains ${share}`;
  }
  const head = `${formatCount(x.count)} instances of ${x.className} retain ${share}`;
  return x.holder ? `${head}, most held by ${x.holder.name} (${x.holder.className})` : head;
}
