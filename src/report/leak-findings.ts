import { closureName, nameSteps, pathText } from '../analysis/path-names.js';
import type { PathStep, RootPaths } from '../analysis/paths.js';
import { functionLocation, locationText, type SourceLocation } from '../analysis/source-locations.js';
import { type DuplicateString, duplicateStrings, type StringCopies } from '../analysis/strings.js';
import { findSuspects, type Holding } from '../analysis/suspects.js';
import type { HeapAnalysis } from '../analysis/types.js';

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
  kind: 'object' | 'class';
  /** The suspect object's id (for a class: one instance's). */
  id: number;
  className: string;
  count: number;
  retainedSize: number;
  percent: number;
  accumulationPoint: { id: number; className: string; retainedSize: number };
  /** A linked structure (reported once, by its head): number of links and their kind. */
  chain: { links: number; className: string } | null;
  /** What it holds, by class; a group of functions also says where one of them (the biggest) is defined. */
  holds: { className: string; count: number; retainedSize: number; location?: SourceLocation }[];
  /** From the GC roots (root side first) to the accumulation point and a representative of what it holds. */
  path: PathStepJson[];
  pathText: string;
  /** Class suspects: the share of sampled instances whose shortest path starts with `path` (0–1). */
  pathShare: number;
  /** The whole path of one instance (class suspects: one whose path starts with `path`; objects: `pathText`). */
  samplePathText: string;
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
    return {
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
      chain: x.chain ? { links: x.chain.links, className: x.chain.label } : null,
      holds: x.holds.map((h: Holding) => {
        const held: SuspectJson['holds'][number] = { className: h.label, count: h.count, retainedSize: h.retainedSize };
        const location = functionLocation(s, h.example);
        if (location) held.location = location;
        return held;
      }),
      ...pathJson(a, x.path),
      pathShare: x.pathShare,
      samplePathText: x.samplePath === x.path ? pathJson(a, x.path).pathText : pathJson(a, x.samplePath).pathText,
    };
  });
}
