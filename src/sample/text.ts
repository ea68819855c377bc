import { formatBytes, formatCount, padLeft } from '../format.js';
import { frameText } from './model.js';
import type { GrowthReport, SampleReport } from './report.js';

const TABLE_ROWS = 20;

/** The text report: what was sampled, the bottom-up table of sites, the paths to the biggest, the growth. */
export function renderSampleText(r: SampleReport): string {
  const out: string[] = [];
  const from = r.file ? `${r.file}${r.target ? ` (${r.target})` : ''}` : (r.target ?? 'the profile');
  const duration = r.durationMs === null ? '' : `, ${(r.durationMs / 1000).toFixed(1)} s`;
  const interval =
    r.intervalBytes === null
      ? 'sampling interval unknown'
      : `about one allocation sampled every ${formatBytes(r.intervalBytes)}`;
  out.push(`heapwatch sample: ${from}${duration}, ${interval}`);
  if (r.targetExited) {
    out.push('The target exited during sampling: this report is what was sampled until it did.');
  }
  out.push(
    r.includeCollected
      ? 'Sizes are estimates from the samples. This profile also counts objects the GC has collected since: it shows'
      : 'Sizes are estimates from the samples. Live memory: sampled objects still alive when the profile was read.',
  );
  if (r.includeCollected) out.push('allocation churn and GC pressure, not what stays alive.');
  out.push('');
  const what = r.includeCollected ? 'Allocated during sampling (churn / GC pressure)' : 'Live memory';
  out.push(
    `${what} by allocation site: ${formatBytes(r.totalBytes)} in ${formatCount(r.totalSamples)} samples (bottom-up, self)`,
  );
  if (r.sites.length === 0) {
    out.push('  no sampled allocations');
  } else {
    out.push(`  ${padLeft('SELF', 10)} ${padLeft('%', 6)} ${padLeft('SAMPLES', 8)}  FUNCTION (where it is defined)`);
    for (const s of r.sites.slice(0, TABLE_ROWS)) {
      out.push(
        `  ${padLeft(formatBytes(s.selfBytes), 10)} ${padLeft(`${s.percent.toFixed(1)}%`, 6)} ${padLeft(formatCount(s.samples), 8)}  ${frameText(s)}`,
      );
    }
    if (r.sites.length > TABLE_ROWS) out.push(`  … ${r.sites.length - TABLE_ROWS} more sites in --json`);
  }
  if (r.paths.length > 0) {
    out.push('');
    out.push("Call paths to the biggest sites (top-down; Node's internals and builtins folded into their caller):");
    for (const p of r.paths) {
      out.push(
        `  ${padLeft(formatBytes(p.bytes), 10)} ${padLeft(`${p.percent.toFixed(1)}%`, 6)}  ${p.frames.map(frameText).join(' → ')}`,
      );
    }
  }
  if (r.growth) out.push('', ...growthText(r.growth));
  out.push('');
  return out.join('\n');
}

function growthText(g: GrowthReport): string[] {
  const spanS = (g.atMs[g.atMs.length - 1] - g.atMs[0]) / 1000;
  const out = [`Growth of live bytes by site, ${g.profiles} profiles over ${spanS.toFixed(1)} s (first → last):`];
  if (g.sites.length === 0) {
    out.push('  no site grew');
    return out;
  }
  out.push(`  ${padLeft('GROWTH', 10)} ${padLeft('PER MIN', 10)}  ${'FIRST → LAST'.padEnd(21)}  FUNCTION`);
  for (const s of g.sites) {
    const span = `${formatBytes(s.firstBytes)} → ${formatBytes(s.lastBytes)}`;
    out.push(
      `  ${padLeft(`+${formatBytes(s.growthBytes)}`, 10)} ${padLeft(`+${formatBytes(s.bytesPerMinute)}`, 10)}  ${span.padEnd(21)}  ${frameText(s)}${s.leakCandidate ? '  ← leak candidate: grew at every step' : ''}`,
    );
  }
  const candidates = g.sites.filter((s) => s.leakCandidate);
  out.push(
    candidates.length > 0
      ? `${candidates.length} leak candidate${candidates.length === 1 ? '' : 's'}: live bytes grew at every one of the ${g.profiles - 1} steps.`
      : 'No site grew at every step.',
  );
  return out;
}
