import type { GcEvent, HeapSpace, Sample } from '../live/types.js';
import { type BaselinePoint, type Forecast, forecastBaseline } from './forecast.js';

export type SpaceGroup = HeapSpace['group'];
export type GcKind = GcEvent['kind'];
export const SPACE_GROUPS: readonly SpaceGroup[] = ['young', 'old', 'code', 'other'];
export const GC_KINDS: readonly GcKind[] = ['minor', 'major', 'incremental', 'weakcb'];

/** Used and capacity (committed size) of one group of heap spaces. */
export interface GroupUsage {
  used: number;
  capacity: number;
}

/** What the charts need from one sample, flattened. */
export interface ModelPoint {
  time: number;
  groups: Record<SpaceGroup, GroupUsage>;
  heapUsed: number;
  heapCapacity: number;
  heapLimit: number;
  rss: number;
  external: number;
  arrayBuffers: number;
  /** Fraction of the wall time since the previous sample spent in GC pauses (undefined for the first). */
  gcFraction: number | undefined;
}

export interface GcKindStats {
  count: number;
  totalMs: number;
  maxMs: number;
}

export interface ModelOptions {
  /** How much history the charts keep, ms. */
  windowMs: number;
  /** How much baseline history the forecast looks at, ms (default: the window, at least 10 minutes). */
  forecastWindowMs?: number;
  /** How many of the most recent GC pauses to keep. */
  lastPauses?: number;
}

export function groupUsage(spaces: readonly HeapSpace[]): Record<SpaceGroup, GroupUsage> {
  const groups = {} as Record<SpaceGroup, GroupUsage>;
  for (const g of SPACE_GROUPS) groups[g] = { used: 0, capacity: 0 };
  for (const s of spaces) {
    const g = groups[s.group] ?? groups.old;
    g.used += s.used;
    g.capacity += s.size;
  }
  return groups;
}

/**
 * The dashboard's data: a sliding window of samples, GC totals per kind since attach, the last pauses,
 * and the old-generation baselines after each major GC that feed the forecast. No terminal involved.
 */
export class DashboardModel {
  readonly windowMs: number;
  readonly forecastWindowMs: number;
  private readonly keepPauses: number;
  private readonly series: ModelPoint[] = [];
  private readonly baselineSeries: BaselinePoint[] = [];
  private readonly pauses: GcEvent[] = [];
  readonly gc: Record<GcKind, GcKindStats>;
  samples = 0;
  firstTime: number | undefined;
  private cachedForecast: { samples: number; forecast: Forecast } | undefined;

  constructor(options: ModelOptions) {
    this.windowMs = options.windowMs;
    this.forecastWindowMs = options.forecastWindowMs ?? Math.max(options.windowMs, 10 * 60_000);
    this.keepPauses = options.lastPauses ?? 8;
    this.gc = {} as Record<GcKind, GcKindStats>;
    for (const k of GC_KINDS) this.gc[k] = { count: 0, totalMs: 0, maxMs: 0 };
  }

  add(sample: Sample): ModelPoint {
    const groups = groupUsage(sample.spaces);
    const prev = this.series[this.series.length - 1];
    let gcMs = 0;
    for (const e of sample.gcEvents) {
      const stats = this.gc[e.kind];
      if (stats) {
        stats.count++;
        stats.totalMs += e.durationMs;
        if (e.durationMs > stats.maxMs) stats.maxMs = e.durationMs;
      }
      gcMs += e.durationMs;
      this.pauses.push(e);
    }
    if (this.pauses.length > this.keepPauses) this.pauses.splice(0, this.pauses.length - this.keepPauses);
    this.addBaselines(sample, groups.old.used);

    const elapsed = prev ? sample.time - prev.time : 0;
    const point: ModelPoint = {
      time: sample.time,
      groups,
      heapUsed: sample.heap.usedHeapSize,
      heapCapacity: sample.heap.totalHeapSize,
      heapLimit: sample.heap.heapSizeLimit,
      rss: sample.memory.rss,
      external: sample.memory.external,
      arrayBuffers: sample.memory.arrayBuffers,
      gcFraction: elapsed > 0 ? Math.min(1, gcMs / elapsed) : undefined,
    };
    this.series.push(point);
    this.samples++;
    this.firstTime ??= sample.time;
    trimBefore(this.series, sample.time - this.windowMs);
    trimBefore(this.baselineSeries, sample.time - this.forecastWindowMs);
    return point;
  }

  /**
   * A major GC's own reading of old-generation used when the sampler has it, else this sample's (taken after it).
   * Back-to-back majors share one reading (the target reads the spaces once per batch of GC entries, and a forced
   * GC is two majors): that is one measurement, kept once, at the time of the last of them.
   */
  private addBaselines(sample: Sample, oldUsedNow: number): void {
    let sawMajorWithoutReading = false;
    let pending: BaselinePoint | undefined;
    for (const e of sample.gcEvents) {
      if (e.kind !== 'major') continue;
      if (e.oldUsedAfter === undefined) {
        sawMajorWithoutReading = true;
        continue;
      }
      if (pending && pending.bytes !== e.oldUsedAfter) this.baselineSeries.push(pending);
      pending = { time: e.startTime + e.durationMs, bytes: e.oldUsedAfter };
    }
    if (pending) this.baselineSeries.push(pending);
    if (sawMajorWithoutReading) this.baselineSeries.push({ time: sample.time, bytes: oldUsedNow });
  }

  points(): readonly ModelPoint[] {
    return this.series;
  }

  latest(): ModelPoint | undefined {
    return this.series[this.series.length - 1];
  }

  baselines(): readonly BaselinePoint[] {
    return this.baselineSeries;
  }

  lastPauses(): readonly GcEvent[] {
    return this.pauses;
  }

  totalGcMs(): number {
    let sum = 0;
    for (const k of GC_KINDS) sum += this.gc[k].totalMs;
    return sum;
  }

  /** Old generation may grow to the heap limit less what young, code and the other spaces occupy now. */
  oldLimit(): number {
    const p = this.latest();
    if (!p) return 0;
    return p.heapLimit - p.groups.young.capacity - p.groups.code.used - p.groups.other.used;
  }

  /** Computed once per sample: the screen asks on every redraw. */
  forecast(): Forecast {
    if (this.cachedForecast?.samples !== this.samples) {
      this.cachedForecast = { samples: this.samples, forecast: forecastBaseline(this.baselineSeries, this.oldLimit()) };
    }
    return this.cachedForecast.forecast;
  }
}

function trimBefore(points: { time: number }[], cutoff: number): void {
  let drop = 0;
  while (drop < points.length && points[drop].time < cutoff) drop++;
  if (drop > 0) points.splice(0, drop);
}
