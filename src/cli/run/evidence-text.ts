// What `heapwatch run` prints about the guard's lighter evidence: its memory reports (what RSS, heap and the
// cgroup held when the threshold was crossed) and the top live allocation sites of its newest heap profile.
import { readFileSync } from 'node:fs';
import { formatBytes } from '../../format.js';
import type { MemoryReport } from '../../guard/memory-report.cjs';
import type { RunLeftovers } from './post-mortem.js';
import { profileTopSites } from './profile-summary.js';

const TOP_SITES = 5;

function reportLine(path: string): string {
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as MemoryReport;
    const u = r.memoryUsage;
    const limit = r.limit ? ` of ${formatBytes(r.limit.bytes)} (${r.limit.source})` : '';
    const parts = [
      `RSS ${formatBytes(u.rss)}${limit}`,
      `heap used ${formatBytes(u.heapUsed)}`,
      `external ${formatBytes(u.external)}`,
      `array buffers ${formatBytes(u.arrayBuffers)}`,
    ];
    const b = r.cgroup?.breakdown;
    if (b) {
      const cg = (['anon', 'file', 'kernel', 'sock'] as const)
        .filter((k) => b[k] !== null)
        .map((k) => `${k} ${formatBytes(b[k]!)}`);
      parts.push(`cgroup ${cg.join(', ')}`);
    }
    return `${r.reason} memory report: ${path}\n    ${parts.join('; ')}\n    snapshot: ${r.snapshot}`;
  } catch (err) {
    return `memory report: ${path} (unreadable: ${(err as Error).message})`;
  }
}

export function printGuardEvidence(left: RunLeftovers, say: (line: string) => void): void {
  for (const r of left.memoryReports) say(reportLine(r));
  for (const p of left.profiles) say(`heap profile: ${p}`);
  const newest = left.profiles.at(-1);
  if (!newest) return;
  try {
    const sites = profileTopSites(newest, TOP_SITES);
    say(`top live allocation sites (sampled) in ${newest}:`);
    for (const s of sites) {
      process.stderr.write(
        `  ${formatBytes(s.bytes).padStart(10)} ${`${s.percent.toFixed(1)}%`.padStart(6)}  ${s.site}\n`,
      );
    }
    say(`all sites and paths: heapwatch sample --from ${newest}`);
  } catch (err) {
    say(`heap profile ${newest}: ${(err as Error).message}`);
  }
}
