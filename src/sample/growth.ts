import { buildModel } from './model.js';
import type { GrowthReport, GrowthRow, TimedProfile } from './report.js';

const MAX_ROWS = 20;

/**
 * Ranks allocation sites by the growth of their live bytes from the first profile to the last. The profiles come
 * from one sampling session, so an object sampled once stays in every later profile while it lives: a site whose
 * bytes rise at every step keeps allocating objects that stay alive (a leak candidate); a cache that stopped
 * growing stays flat.
 */
export function growthRows(series: TimedProfile[]): GrowthReport {
  const models = series.map((s) => buildModel(s.profile));
  const bySite = new Map<string, GrowthRow>();
  models.forEach((m, step) => {
    for (const site of m.sites) {
      if (site.selfBytes === 0) continue;
      const f = m.frames[site.frame];
      const key = `${f.function}\u0000${f.url}\u0000${f.line}\u0000${f.column}`;
      let row = bySite.get(key);
      if (!row) {
        row = {
          ...f,
          firstBytes: 0,
          lastBytes: 0,
          growthBytes: 0,
          bytesPerMinute: 0,
          steps: new Array<number>(models.length).fill(0),
          leakCandidate: false,
        };
        bySite.set(key, row);
      }
      row.steps[step] += site.selfBytes;
    }
  });
  const spanMs = series[series.length - 1].atMs - series[0].atMs;
  const rows = [...bySite.values()];
  for (const r of rows) {
    r.firstBytes = r.steps[0];
    r.lastBytes = r.steps[r.steps.length - 1];
    r.growthBytes = r.lastBytes - r.firstBytes;
    r.bytesPerMinute = spanMs > 0 ? Math.round((r.growthBytes * 60_000) / spanMs) : 0;
    r.leakCandidate = r.steps.every((b, i) => i === 0 || b > r.steps[i - 1]);
  }
  return {
    profiles: series.length,
    atMs: series.map((s) => s.atMs),
    sites: rows
      .filter((r) => r.growthBytes > 0)
      .sort((a, b) => b.growthBytes - a.growthBytes)
      .slice(0, MAX_ROWS),
  };
}
