import { growthRows } from './growth.js';
import { buildModel, type FoldedNode, type Frame, frameText, rankedSites, type SampleModel } from './model.js';
import type { HeapProfile } from './profile.js';

export const SAMPLE_SCHEMA = 'heapwatch/sample@1';
const MAX_SITES = 50;
const PATH_SITES = 5;
const PATHS_PER_SITE = 3;

export interface SiteRow extends Frame {
  selfBytes: number;
  samples: number;
  percent: number;
}

export interface PathRow {
  bytes: number;
  percent: number;
  samples: number;
  /** From the outermost user frame to the allocation site. */
  frames: Frame[];
}

export interface GrowthRow extends Frame {
  firstBytes: number;
  lastBytes: number;
  growthBytes: number;
  bytesPerMinute: number;
  /** Live bytes of the site in each profile, first to last. */
  steps: number[];
  /** Grew in every step: a leak candidate. */
  leakCandidate: boolean;
}

export interface GrowthReport {
  profiles: number;
  /** Time of each profile since sampling started. */
  atMs: number[];
  sites: GrowthRow[];
}

/** The report, also the JSON document (`--json`). Sizes are V8's estimates from the samples. */
export interface SampleReport {
  schema: typeof SAMPLE_SCHEMA;
  target: string | null;
  /** The file the profile was read from (`--from`), else null. */
  file: string | null;
  durationMs: number | null;
  intervalBytes: number | null;
  /** True: the profile also counts objects the GC has collected since (churn / GC pressure, not what is alive). */
  includeCollected: boolean;
  /** True when the target exited before sampling ended: the report is the last profile read before it did. */
  targetExited: boolean;
  /** Estimated bytes still alive of the sampled allocations; null under includeCollected. */
  totalLiveBytes: number | null;
  /** Estimated bytes in the profile: alive, or alive and collected under includeCollected. */
  totalBytes: number;
  totalSamples: number;
  sites: SiteRow[];
  paths: PathRow[];
  growth: GrowthReport | null;
}

export interface ReportMeta {
  target: string | null;
  file?: string | null;
  durationMs: number | null;
  intervalBytes: number | null;
  includeCollected: boolean;
  targetExited: boolean;
}

/** Growth mode's input: successive profiles of one sampling session and when each was taken. */
export interface TimedProfile {
  profile: HeapProfile;
  atMs: number;
}

/** The report of one profile (the last one in growth mode), with the growth between `series` when given. */
export function buildSampleReport(profile: HeapProfile, meta: ReportMeta, series?: TimedProfile[]): SampleReport {
  const model = buildModel(profile);
  const total = model.totalBytes;
  const pct = (b: number): number => (total > 0 ? Math.round((1000 * 100 * b) / total) / 1000 : 0);
  const ranked = rankedSites(model);
  const sites = ranked.slice(0, MAX_SITES).map((s) => ({
    ...model.frames[s.frame],
    selfBytes: s.selfBytes,
    samples: s.samples,
    percent: pct(s.selfBytes),
  }));
  const paths: PathRow[] = [];
  for (const site of ranked.slice(0, PATH_SITES)) {
    for (const n of heaviestNodesOf(model, site.frame).slice(0, PATHS_PER_SITE)) {
      paths.push({ bytes: n.selfBytes, percent: pct(n.selfBytes), samples: n.samples, frames: framesTo(model, n) });
    }
  }
  return {
    schema: SAMPLE_SCHEMA,
    target: meta.target,
    file: meta.file ?? null,
    durationMs: meta.durationMs,
    intervalBytes: meta.intervalBytes,
    includeCollected: meta.includeCollected,
    targetExited: meta.targetExited,
    totalLiveBytes: meta.includeCollected ? null : total,
    totalBytes: total,
    totalSamples: model.totalSamples,
    sites,
    paths,
    growth: series && series.length >= 2 ? growthRows(series) : null,
  };
}

/** The folded nodes of one frame, biggest self bytes first. */
function heaviestNodesOf(model: SampleModel, frame: number): FoldedNode[] {
  const found: FoldedNode[] = [];
  const stack = [model.root];
  while (stack.length > 0) {
    const n = stack.pop() as FoldedNode;
    if (n.frame === frame && n.selfBytes > 0) found.push(n);
    for (const c of n.children) stack.push(c);
  }
  return found.sort((a, b) => b.selfBytes - a.selfBytes);
}

function framesTo(model: SampleModel, n: FoldedNode): Frame[] {
  const frames: Frame[] = [];
  for (let p: FoldedNode | null = n; p && p.frame >= 0; p = p.parent) frames.push(model.frames[p.frame]);
  return frames.reverse();
}

export { frameText };
