import { formatBytes, padLeft } from '../format.js';
import { buildModel, frameText, rankedSites } from '../sample/model.js';
import type { HeapProfile } from '../sample/profile.js';
import { ellipsize, plainLine } from './panels.js';

/** One row of the allocation panel: a site of live memory, as `heapwatch sample` ranks and names it. */
export interface AllocationRow {
  site: string;
  bytes: number;
  percent: number;
}

/** What the `s` panel shows: V8's sampling heap profile, read every few seconds while sampling runs. */
export interface AllocationPanel {
  intervalBytes: number;
  /** V8 was already sampling when s was pressed: its profile is shown and left running. */
  shared: boolean;
  totalBytes?: number;
  rows?: AllocationRow[];
  /** When the rows were read (ms since epoch). */
  readAt?: number;
  error?: string;
}

/** The top live allocation sites of a profile: src/sample/'s folding and ranking, so rows equal `heapwatch sample`'s. */
export function allocationRows(profile: HeapProfile, count: number): { totalBytes: number; rows: AllocationRow[] } {
  const model = buildModel(profile);
  const total = model.totalBytes;
  const rows = rankedSites(model)
    .slice(0, count)
    .map((s) => ({
      site: frameText(model.frames[s.frame]),
      bytes: s.selfBytes,
      percent: total > 0 ? (100 * s.selfBytes) / total : 0,
    }));
  return { totalBytes: total, rows };
}

/** The panel's text for a box `width` columns wide and `height` rows high (blessed tags). */
export function allocationText(p: AllocationPanel, width: number, height: number): string {
  const lines: string[] = [];
  if (p.shared)
    lines.push(
      '{yellow-fg}V8 was already sampling (HEAPWATCH_SAMPLE, DevTools): its profile, left running{/yellow-fg}',
    );
  if (p.error) lines.push(`{red-fg}${plainLine(p.error)}{/red-fg}`);
  if (!p.rows) {
    lines.push('waiting for the first profile...');
    return lines.join('\n');
  }
  const when = p.readAt === undefined ? '' : `, read ${new Date(p.readAt).toTimeString().slice(0, 8)}`;
  lines.push(
    `live memory of the sampled allocations: ${formatBytes(p.totalBytes ?? 0)} (estimates${when}); Node's internals folded into their caller`,
  );
  if (p.rows.length === 0) {
    lines.push('no sampled allocation alive yet');
    return lines.join('\n');
  }
  lines.push(`{bold}${padLeft('LIVE', 10)} ${padLeft('%', 6)}  FUNCTION (file:line:col){/bold}`);
  const room = Math.max(10, width - 20);
  for (const r of p.rows.slice(0, Math.max(1, height - lines.length))) {
    lines.push(
      `${padLeft(formatBytes(r.bytes), 10)} ${padLeft(`${r.percent.toFixed(1)}%`, 6)}  ${plainLine(ellipsize(r.site, room))}`,
    );
  }
  return lines.join('\n');
}
