import { padLeft } from '../format.js';
import type { GcEvent, Sample } from './types.js';

/** One row of `heapwatch gc`: a sample plus GC counters accumulated since heapwatch attached. */
export interface GcRow {
  time: number;
  pid: number;
  uptimeSeconds: number | undefined;
  intervalMs: number;
  newCapacity: number;
  newUsed: number;
  oldCapacity: number;
  oldUsed: number;
  codeUsed: number;
  heapSizeLimit: number;
  /** Old used right after the last major GC seen since attaching; undefined until one happens. */
  oldUsedAfterMajor: number | undefined;
  external: number;
  arrayBuffers: number;
  rss: number;
  counts: Record<GcEvent['kind'], { count: number; timeMs: number }>;
  totalGcMs: number;
  /** GC time inside this row's interval (parts of longer pauses before it are left out), ms. */
  intervalGcMs: number;
}

function overlapMs(start: number, end: number, from: number, to: number): number {
  return Math.max(0, Math.min(end, to) - Math.max(start, from));
}

/** Turns samples into rows, keeping GC counts and times since the first sample. */
export class GcCounters {
  private readonly counts: GcRow['counts'] = {
    minor: { count: 0, timeMs: 0 },
    major: { count: 0, timeMs: 0 },
    incremental: { count: 0, timeMs: 0 },
    weakcb: { count: 0, timeMs: 0 },
  };
  private totalGcMs = 0;
  private oldUsedAfterMajor: number | undefined;
  private previousTime: number;

  constructor(startTime: number) {
    this.previousTime = startTime;
  }

  add(sample: Sample): GcRow {
    let gcMs = 0;
    let intervalGcMs = 0;
    for (const e of sample.gcEvents) {
      const c = this.counts[e.kind];
      c.count++;
      c.timeMs += e.durationMs;
      gcMs += e.durationMs;
      // GC% counts only the part of a GC inside this interval: a pause that ended before the previous sample
      // (e.g. during a heap snapshot) can be reported late, with a short interval after it
      intervalGcMs += overlapMs(e.startTime, e.startTime + e.durationMs, this.previousTime, sample.time);
      if (e.kind === 'major' && e.oldUsedAfter !== undefined) this.oldUsedAfterMajor = e.oldUsedAfter;
    }
    this.totalGcMs += gcMs;
    const sum = (group: string, field: 'size' | 'used'): number =>
      sample.spaces.filter((s) => s.group === group).reduce((n, s) => n + s[field], 0);
    const row: GcRow = {
      time: sample.time,
      pid: sample.pid,
      uptimeSeconds: sample.uptimeSeconds,
      intervalMs: Math.max(0, sample.time - this.previousTime),
      newCapacity: sum('young', 'size'),
      newUsed: sum('young', 'used'),
      oldCapacity: sum('old', 'size'),
      oldUsed: sum('old', 'used'),
      codeUsed: sum('code', 'used'),
      heapSizeLimit: sample.heap.heapSizeLimit,
      oldUsedAfterMajor: this.oldUsedAfterMajor,
      external: sample.memory.external,
      arrayBuffers: sample.memory.arrayBuffers,
      rss: sample.memory.rss,
      counts: structuredClone(this.counts),
      totalGcMs: this.totalGcMs,
      intervalGcMs,
    };
    this.previousTime = sample.time;
    return row;
  }
}

const kb = (bytes: number): string => (bytes / 1024).toFixed(1);
const secs = (ms: number): string => (ms / 1000).toFixed(3);

interface Column {
  title: string;
  width: number;
  value: (r: GcRow) => string;
}

const COLUMNS: Column[] = [
  { title: 'NC', width: 9, value: (r) => kb(r.newCapacity) },
  { title: 'NU', width: 9, value: (r) => kb(r.newUsed) },
  { title: 'OC', width: 10, value: (r) => kb(r.oldCapacity) },
  { title: 'OU', width: 10, value: (r) => kb(r.oldUsed) },
  { title: 'CU', width: 8, value: (r) => kb(r.codeUsed) },
  { title: 'O%L', width: 6, value: (r) => ((100 * r.oldUsed) / r.heapSizeLimit).toFixed(1) },
  { title: 'LIVE', width: 10, value: (r) => (r.oldUsedAfterMajor === undefined ? '-' : kb(r.oldUsedAfterMajor)) },
  { title: 'EXT', width: 9, value: (r) => kb(r.external) },
  { title: 'AB', width: 9, value: (r) => kb(r.arrayBuffers) },
  { title: 'RSS', width: 10, value: (r) => kb(r.rss) },
  { title: 'YGC', width: 6, value: (r) => String(r.counts.minor.count) },
  { title: 'YGCT', width: 8, value: (r) => secs(r.counts.minor.timeMs) },
  { title: 'FGC', width: 5, value: (r) => String(r.counts.major.count) },
  { title: 'FGCT', width: 8, value: (r) => secs(r.counts.major.timeMs) },
  { title: 'IGC', width: 5, value: (r) => String(r.counts.incremental.count) },
  { title: 'IGCT', width: 8, value: (r) => secs(r.counts.incremental.timeMs) },
  { title: 'GCT', width: 8, value: (r) => secs(r.totalGcMs) },
  {
    title: 'GC%',
    width: 6,
    value: (r) => (r.intervalMs > 0 ? ((100 * r.intervalGcMs) / r.intervalMs).toFixed(1) : '0.0'),
  },
];

const TIMESTAMP: Column = {
  title: 'Timestamp',
  width: 10,
  value: (r) => (r.uptimeSeconds === undefined ? '-' : r.uptimeSeconds.toFixed(1)),
};

export const GC_COLUMN_TITLES = COLUMNS.map((c) => c.title);

function columns(withTimestamp: boolean): Column[] {
  return withTimestamp ? [TIMESTAMP, ...COLUMNS] : COLUMNS;
}

export function formatGcHeader(withTimestamp: boolean): string {
  return columns(withTimestamp)
    .map((c) => padLeft(c.title, c.width))
    .join(' ');
}

export function formatGcRow(row: GcRow, withTimestamp: boolean): string {
  return columns(withTimestamp)
    .map((c) => padLeft(c.value(row), c.width))
    .join(' ');
}

/** One NDJSON line of `heapwatch gc --json` (schema heapwatch/gc@1); sizes in bytes, times in ms. */
export function gcRowJson(row: GcRow, sample: Sample): Record<string, unknown> {
  return {
    schema: 'heapwatch/gc@1',
    time: new Date(row.time).toISOString(),
    pid: row.pid,
    uptimeSeconds: row.uptimeSeconds ?? null,
    intervalMs: row.intervalMs,
    spaces: Object.fromEntries(
      sample.spaces.map((s) => [
        s.name,
        { group: s.group, size: s.size, used: s.used, available: s.available, physical: s.physical },
      ]),
    ),
    newCapacity: row.newCapacity,
    newUsed: row.newUsed,
    oldCapacity: row.oldCapacity,
    oldUsed: row.oldUsed,
    codeUsed: row.codeUsed,
    heapSizeLimit: row.heapSizeLimit,
    oldUsedPercentOfLimit: (100 * row.oldUsed) / row.heapSizeLimit,
    oldUsedAfterLastMajorGc: row.oldUsedAfterMajor ?? null,
    heap: sample.heap,
    memory: sample.memory,
    gc: {
      ...row.counts,
      totalTimeMs: row.totalGcMs,
      intervalTimeMs: row.intervalGcMs,
      intervalPercent: row.intervalMs > 0 ? (100 * row.intervalGcMs) / row.intervalMs : 0,
    },
  };
}
