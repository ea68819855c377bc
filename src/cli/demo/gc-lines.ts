// `heapwatch gc`'s row, narrowed to what the demo's story needs (fits 100 columns), with the sender's own
// member counts beside it: the heap climbs with `recorded` for the leaky sender and stays flat for the fixed one.
import { padLeft } from '../../format.js';
import type { GcRow } from '../../live/gc-table.js';

/** The sender's latest progress when the sample was taken. */
export interface MemberCounts {
  sent: number;
  recorded: number;
}

interface Column {
  title: string;
  width: number;
  value: (r: GcRow, m: MemberCounts) => string;
}

// same titles, units (KB with one decimal, seconds) and meanings as `heapwatch gc -t`
const kb = (bytes: number): string => (bytes / 1024).toFixed(1);
const COLUMNS: Column[] = [
  { title: 'Timestamp', width: 10, value: (r) => (r.uptimeSeconds === undefined ? '-' : r.uptimeSeconds.toFixed(1)) },
  { title: 'sent', width: 8, value: (_r, m) => String(m.sent) },
  { title: 'recorded', width: 8, value: (_r, m) => String(m.recorded) },
  { title: 'OU', width: 10, value: (r) => kb(r.oldUsed) },
  { title: 'O%L', width: 6, value: (r) => ((100 * r.oldUsed) / r.heapSizeLimit).toFixed(1) },
  { title: 'LIVE', width: 10, value: (r) => (r.oldUsedAfterMajor === undefined ? '-' : kb(r.oldUsedAfterMajor)) },
  { title: 'RSS', width: 10, value: (r) => kb(r.rss) },
  { title: 'YGC', width: 5, value: (r) => String(r.counts.minor.count) },
  { title: 'FGC', width: 4, value: (r) => String(r.counts.major.count) },
  { title: 'GCT', width: 7, value: (r) => (r.totalGcMs / 1000).toFixed(3) },
  {
    title: 'GC%',
    width: 6,
    value: (r) => (r.intervalMs > 0 ? ((100 * r.intervalGcMs) / r.intervalMs).toFixed(1) : '0.0'),
  },
];

export function demoGcHeader(): string {
  return COLUMNS.map((c) => padLeft(c.title, c.width)).join(' ');
}

export function demoGcRow(row: GcRow, members: MemberCounts): string {
  return COLUMNS.map((c) => padLeft(c.value(row, members), c.width)).join(' ');
}
