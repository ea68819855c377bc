// The top live allocation sites of a heap profile the guard left, for `heapwatch run`'s post-mortem: read and
// reported by src/sample/ (the same reader and attribution as `heapwatch sample --from`).
import { readHeapProfile } from '../../sample/reader.js';
import { buildSampleReport, frameText } from '../../sample/report.js';

export interface TopSite {
  /** `queuePayloads (/srv/app/push-queue.cjs:4:23)`, as `heapwatch sample` names a function. */
  site: string;
  bytes: number;
  percent: number;
}

export function profileTopSites(path: string, count: number): TopSite[] {
  const report = buildSampleReport(readHeapProfile(path), {
    target: null,
    file: path,
    durationMs: null,
    intervalBytes: null,
    includeCollected: false,
    targetExited: true,
  });
  // the guard's own frames are left out by the sample model, as in every sample report
  return report.sites.slice(0, count).map((s) => ({ site: frameText(s), bytes: s.selfBytes, percent: s.percent }));
}
