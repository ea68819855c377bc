// The top live allocation sites of a heap profile the guard left, for `heapwatch run`'s post-mortem: read and
// reported by src/sample/ (the same reader and attribution as `heapwatch sample --from`).
import { fileURLToPath } from 'node:url';
import { readHeapProfile } from '../../sample/reader.js';
import { buildSampleReport, frameText } from '../../sample/report.js';

export interface TopSite {
  /** `queuePayloads (/srv/app/push-queue.cjs:4:23)`, as `heapwatch sample` names a function. */
  site: string;
  bytes: number;
  percent: number;
}

/** heapwatch's own guard (its memory watch, its socket): what it keeps alive is ours, not the application's. */
const GUARD_DIR = fileURLToPath(new URL('../../guard/', import.meta.url));
const isGuardSite = (url: string | null): boolean =>
  url !== null && (url.startsWith(GUARD_DIR) || url.startsWith(`file://${GUARD_DIR}`));

export function profileTopSites(path: string, count: number): TopSite[] {
  const report = buildSampleReport(readHeapProfile(path), {
    target: null,
    file: path,
    durationMs: null,
    intervalBytes: null,
    includeCollected: false,
    targetExited: true,
  });
  return report.sites
    .filter((s) => !isGuardSite(s.url))
    .slice(0, count)
    .map((s) => ({ site: frameText(s), bytes: s.selfBytes, percent: s.percent }));
}
