import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DashboardModel } from '../../src/dashboard/model.js';
import type { Sample } from '../../src/live/types.js';

// Series recorded from real Node processes by heapwatch's own sampler (fixtures/record-series.mjs): a full GC
// forced every 2 s, a sample every 500 ms, 36 s each. The checks compare the forecast with what the recording
// itself shows, computed independently of the estimator.
const MB = 1024 * 1024;

function replay(pattern: string): { model: DashboardModel; samples: Sample[] } {
  const text = readFileSync(new URL(`./fixtures/series-${pattern}.ndjson`, import.meta.url), 'utf8');
  const samples = text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Sample);
  const model = new DashboardModel({ windowMs: 10 * 60_000 });
  for (const s of samples) model.add(s);
  return { model, samples };
}
const mb = (bytes: number) => bytes / MB;

describe('the forecast on recorded series', () => {
  it('flat: every baseline within 0.5 MB of the others; stable', () => {
    const { model } = replay('flat');
    const b = model.baselines().map((p) => p.bytes);
    expect(b.length).toBeGreaterThanOrEqual(15); // one per forced GC (its two majors share a reading)
    expect(mb(Math.max(...b) - Math.min(...b))).toBeLessThan(0.5);
    const f = model.forecast();
    expect(f.state).toBe('stable');
    expect(Math.abs(mb(f.slopeBytesPerMin))).toBeLessThan(0.5);
  });

  it('saw-tooth: old space swings by megabytes between major GCs, the baseline does not; stable', () => {
    const { model, samples } = replay('sawtooth');
    const old = samples.map((s) => s.spaces.filter((x) => x.group === 'old').reduce((n, x) => n + x.used, 0));
    // the saw-tooth is in the recording: after warm-up, old used rises by over 2 MB and falls back, again and again
    let drops = 0;
    for (let i = 1; i < old.length; i++) if (old[i - 1] - old[i] > 2 * MB) drops++;
    expect(drops).toBeGreaterThanOrEqual(8);
    const settled = model
      .baselines()
      .slice(2)
      .map((p) => p.bytes);
    expect(mb(Math.max(...settled) - Math.min(...settled))).toBeLessThan(1.5);
    expect(model.forecast().state).toBe('stable');
  });

  it('linear leak: rising, at the rate of the recording end to end (within 10%)', () => {
    const { model } = replay('leak');
    const b = model.baselines();
    const first = b[0];
    const last = b[b.length - 1];
    const endToEndPerMin = ((last.bytes - first.bytes) / (last.time - first.time)) * 60_000;
    expect(mb(endToEndPerMin)).toBeGreaterThan(10); // the target keeps ~0.5 MB/s
    const f = model.forecast();
    expect(f.state).toBe('rising');
    if (f.state !== 'rising') return;
    expect(Math.abs(f.slopeBytesPerMin / endToEndPerMin - 1)).toBeLessThan(0.1);
    expect(f.limit).toBe(model.oldLimit());
    expect(f.minutesToLimit).toBeCloseTo((f.limit - f.baseline) / f.slopeBytesPerMin, 9);
  });

  it('step: one jump of ~20 MB, flat before and after; stable at the new floor', () => {
    const { model } = replay('step');
    const b = model.baselines().map((p) => p.bytes);
    const jumps = b.slice(1).map((v, i) => v - b[i]);
    const big = jumps.filter((j) => j > 5 * MB);
    expect(big.length).toBe(1);
    expect(mb(big[0])).toBeGreaterThan(15);
    const f = model.forecast();
    expect(f.state).toBe('stable');
    expect(mb(Math.abs(f.baseline - b[b.length - 1]))).toBeLessThan(0.2);
  });
});
