// The guard's memory watch: the container's limit (or HEAPWATCH_MAX_RSS), RSS sampled by an unref'd timer, and
// once per episode past the threshold: the heap profile (HEAPWATCH_SAMPLE=1), a memory report, and a snapshot
// only when its estimated cost fits in the room left. Also writes the heap profile ahead of the near-heap-limit
// snapshot, and stands in for that snapshot when it cannot fit.
import { readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { findMemoryCgroup, type MemoryCgroup } from './cgroup.cjs';
import type { GuardConfig } from './config.cjs';
import { humanBytes } from './disk-space.cjs';
import { memoryReportFileName, parseEvidenceName, profileFileName } from './evidence-files.cjs';
import { type MemoryLimit, nearLimitNoMemoryReason, noMemoryReason } from './headroom.cjs';
import { comparableHeapLimit } from './heap-limit.cjs';
import { type HeapSampler, type SamplingProfile, startHeapSampler, topAllocationSites } from './heap-sampler.cjs';
import { readMemoryConfig } from './memory-config.cjs';
import { memoryReport } from './memory-report.cjs';
import { rescuerThreshold } from './rescuer.cjs';
import { writeFileSafelySync } from './safe-file.cjs';

/**
 * RSS is read every 200 ms (process.memoryUsage.rss() reads /proc/self/stat: 38 µs measured here, 0.02% of a
 * core), every 50 ms once past 70% of the threshold: a Buffer leak measured here grows 170 MB in 300 ms.
 */
const SLOW_MS = 200;
const FAST_MS = 50;
/** A new episode starts once RSS has fallen 10% of the threshold below it. */
const REARM_FRACTION = 0.9;
const TOP_SITES = 10;

export interface MemoryWatch {
  readonly limit: MemoryLimit | null;
  readonly thresholdBytes: number | null;
  /** Why Node's near-heap-limit snapshot must not be armed (it would not fit under the limit), or null. */
  readonly nearLimitProblem: string | null;
  /** Why a snapshot now would not fit in memory, or null when it would. */
  snapshotProblem(): string | null;
  /** Writes the sampling heap profile now, when sampling is on; returns its path. */
  writeProfile(reason: string): string | null;
}

type Say = (message: string) => void;

function limitOf(cgroup: MemoryCgroup | null, maxRss: number | null): MemoryLimit | null {
  const fromCgroup =
    cgroup?.limit != null
      ? { bytes: cgroup.limit, source: `cgroup v${cgroup.version} ${cgroup.limitFile ?? cgroup.path}` }
      : null;
  const fromEnv = maxRss !== null ? { bytes: maxRss, source: 'HEAPWATCH_MAX_RSS' } : null;
  if (fromCgroup && fromEnv) return fromEnv.bytes <= fromCgroup.bytes ? fromEnv : fromCgroup;
  return fromCgroup ?? fromEnv;
}

/** Keeps the newest `keep` files of one kind (profiles or memory reports) in `dir`. 0 keeps all. */
function retain(dir: string, kind: 'profile' | 'memory-report', keep: number): void {
  if (keep <= 0) return;
  const mine = readdirSync(dir)
    .map((name) => ({ name, parsed: parseEvidenceName(name) }))
    .filter((f) => f.parsed?.kind === kind)
    .sort((a, b) => (a.parsed!.stamp < b.parsed!.stamp ? -1 : a.parsed!.stamp > b.parsed!.stamp ? 1 : 0));
  for (const f of mine.slice(0, Math.max(0, mine.length - keep))) {
    try {
      unlinkSync(join(dir, f.name));
    } catch {
      // already gone
    }
  }
}

export function startMemoryWatch(
  config: GuardConfig,
  say: Say,
  writeDump: (reason: string) => string | null,
): MemoryWatch {
  const settings = readMemoryConfig(process.env, say);
  const { dir, app, maxDumps } = config;

  let cgroup: MemoryCgroup | null = null;
  try {
    cgroup = findMemoryCgroup();
  } catch (err) {
    say(
      `memory watch: cannot read the memory cgroup's limit (${(err as Error).message}); watching HEAPWATCH_MAX_RSS only`,
    );
  }
  const limit = limitOf(cgroup, settings.maxRss);
  const thresholdBytes =
    settings.thresholdBytes ?? (limit ? Math.floor(limit.bytes * settings.thresholdFraction) : null);

  let sampler: HeapSampler | null = null;
  if (settings.sample) {
    try {
      sampler = startHeapSampler(settings.sampleInterval);
    } catch (err) {
      say(`heap sampling off: ${(err as Error).message}`);
    }
  }

  const startHeap = getHeapStatistics();
  const nearLimitProblem =
    config.nearLimit > 0
      ? nearLimitNoMemoryReason(comparableHeapLimit(), process.memoryUsage.rss(), startHeap.total_heap_size, limit)
      : null;

  const snapshotProblem = (): string | null =>
    noMemoryReason(getHeapStatistics().used_heap_size, process.memoryUsage.rss(), limit);

  /** Writes `profile` (or the sampler's profile now) as this episode's .heapprofile; returns its path. */
  const writeProfile = (reason: string, taken?: SamplingProfile): string | null => {
    if (!sampler) return null;
    try {
      const profile = taken ?? sampler.profile();
      const path = join(dir, profileFileName(app, process.pid, new Date(), reason));
      writeFileSafelySync(path, JSON.stringify(profile), 0o600);
      retain(dir, 'profile', maxDumps);
      say(`${reason} heap profile: ${path}`);
      return path;
    } catch (err) {
      say(`${reason} heap profile failed: ${(err as Error).message}`);
      return null;
    }
  };

  /** Profile first (it survives whatever the snapshot does), then the report, then the snapshot if it fits. */
  const episode = (reason: string): void => {
    const problem = snapshotProblem();
    let profile: SamplingProfile | undefined;
    try {
      profile = sampler?.profile();
    } catch (err) {
      say(`${reason} heap profile failed: ${(err as Error).message}`);
    }
    const heapProfile = profile ? writeProfile(reason, profile) : null;
    const sites = profile ? topAllocationSites(profile, TOP_SITES) : null;
    try {
      const path = join(dir, memoryReportFileName(app, process.pid, new Date(), reason));
      const report = memoryReport({
        reason,
        app,
        limit,
        thresholdBytes,
        cgroup,
        topAllocationSites: sites,
        heapProfile,
        snapshot: problem ? `skipped: ${problem}` : 'written next, if the disk has room',
      });
      writeFileSafelySync(path, `${JSON.stringify(report, null, 2)}\n`, 0o600);
      retain(dir, 'memory-report', maxDumps);
      const of = limit ? ` of the ${humanBytes(limit.bytes)} limit (${limit.source})` : '';
      say(`${reason} memory report: ${path} (RSS ${humanBytes(report.memoryUsage.rss)}${of})`);
    } catch (err) {
      say(`${reason} memory report failed: ${(err as Error).message}`);
    }
    if (problem) say(`${reason} heap snapshot skipped: ${problem}`);
    else writeDump(reason);
  };

  let rssEpisode = false;
  let heapEpisode = false;
  const heapMark = rescuerThreshold(comparableHeapLimit());
  const tick = (): void => {
    let delay = SLOW_MS;
    try {
      if (thresholdBytes !== null) {
        const rss = process.memoryUsage.rss();
        if (rss >= thresholdBytes && !rssEpisode) {
          rssEpisode = true;
          episode('rss-threshold');
        } else if (rss < thresholdBytes * REARM_FRACTION) rssEpisode = false;
        if (rss >= thresholdBytes * 0.7) delay = FAST_MS;
      }
      // the heap on its way to its limit: the profile now, before Node's near-limit snapshot; and when that
      // snapshot could not be armed, this episode stands in for it while a snapshot may still fit
      if (!heapEpisode && (sampler || nearLimitProblem)) {
        const used = getHeapStatistics().used_heap_size;
        if (used >= heapMark) {
          heapEpisode = true;
          if (nearLimitProblem) episode('heap-threshold');
          else writeProfile('near-heap-limit');
        } else if (used >= heapMark / 2) delay = FAST_MS;
      }
    } catch (err) {
      say(`memory watch: ${(err as Error).message}`);
    }
    setTimeout(tick, delay).unref();
  };
  if (thresholdBytes !== null || sampler || nearLimitProblem) setTimeout(tick, SLOW_MS).unref();

  return { limit, thresholdBytes, nearLimitProblem, snapshotProblem, writeProfile: (reason) => writeProfile(reason) };
}
