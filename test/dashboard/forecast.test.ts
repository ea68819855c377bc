import { describe, expect, it } from 'vitest';
import { type BaselinePoint, forecastBaseline } from '../../src/dashboard/forecast.js';
import { forecastHeadline } from '../../src/dashboard/text.js';

const MB = 1024 * 1024;
/** Baselines every 30 s, values in MB. */
function series(mb: number[]): BaselinePoint[] {
  return mb.map((v, i) => ({ time: 1_000_000 + i * 30_000, bytes: v * MB }));
}
const LIMIT = 494 * MB;

describe('forecastBaseline on recorded series', () => {
  it('needs five baselines before it says anything', () => {
    const f = forecastBaseline(series([100, 101, 102, 103]), LIMIT);
    expect(f).toEqual({ state: 'collecting', baselines: 4, needed: 5 });
    expect(forecastHeadline(f)).toBe('collecting: 4 of 5 major GCs seen (g forces one)');
  });

  it('flat: stable, zero slope, the baseline itself', () => {
    const f = forecastBaseline(series([100, 100, 100, 100, 100, 100, 100, 100, 100]), LIMIT);
    expect(f).toEqual({ state: 'stable', baseline: 100 * MB, slopeBytesPerMin: 0 });
    expect(forecastHeadline(f)).toBe('stable at 100.0 MB after major GC (+0.0 MB/min)');
  });

  it('linear leak of 2 MB per 30 s: 4 MB/min, (494 - 118) / 4 = 94 minutes', () => {
    const f = forecastBaseline(series([100, 102, 104, 106, 108, 110, 112, 114, 116, 118]), LIMIT);
    expect(f.state).toBe('rising');
    if (f.state !== 'rising') return;
    expect(f.slopeBytesPerMin).toBeCloseTo(4 * MB, 6);
    expect(f.baseline).toBeCloseTo(118 * MB, 3);
    expect(f.minutesToLimit).toBeCloseTo(94, 9);
    expect(forecastHeadline(f)).toBe('heap limit in ~94 min at +4.0 MB/min');
  });

  it('a leak with one outlier baseline, up or down, keeps the slope of the others (Theil–Sen)', () => {
    const f = forecastBaseline(series([100, 102, 104, 160, 108, 110, 112, 114, 116, 118]), LIMIT);
    expect(f.state).toBe('rising');
    if (f.state === 'rising') expect(f.slopeBytesPerMin).toBeCloseTo(4 * MB, 6);
    const g = forecastBaseline(series([100, 102, 104, 106, 108, 110, 95, 114, 116, 118, 120, 122]), LIMIT);
    expect(g.state).toBe('rising');
    if (g.state === 'rising') expect(g.slopeBytesPerMin).toBeCloseTo(4 * MB, 6);
  });

  it('one step (a cache filling once) is stable, before and after the step is centred', () => {
    for (const s of [
      [100, 100, 100, 100, 100, 150, 150, 150, 150, 150],
      [100, 100, 150, 150, 150, 150, 150, 150, 150],
      [100, 100, 100, 100, 100, 100, 100, 150, 150],
    ]) {
      expect(forecastBaseline(series(s), LIMIT).state).toBe('stable');
    }
  });

  it('a staircase of three steps rises; Theil–Sen slope by hand', () => {
    // 36 pairwise slopes (MB per 30 s): 9 zeros, 8×2, 10×5, 80/7×2, 40/3×9, 16×2, 20×5, 40×2;
    // the median is the mean of the 18th and 19th, (80/7 + 40/3) / 2 per 30 s, i.e. 80/7 + 40/3 MB/min
    const f = forecastBaseline(series([100, 100, 100, 140, 140, 140, 180, 180, 180]), LIMIT);
    expect(f.state).toBe('rising');
    if (f.state === 'rising') expect(f.slopeBytesPerMin / MB).toBeCloseTo(80 / 7 + 40 / 3, 9);
  });

  it('a rise below the noise floor (1 MiB) is stable', () => {
    const f = forecastBaseline(series([100, 100.1, 100.2, 100.3, 100.4, 100.5, 100.6, 100.7, 100.8]), LIMIT);
    expect(f.state).toBe('stable');
  });

  it('past the limit already: zero minutes', () => {
    const f = forecastBaseline(series([490, 492, 494, 496, 498]), LIMIT);
    expect(f.state).toBe('rising');
    if (f.state === 'rising') expect(f.minutesToLimit).toBe(0);
  });

  it('a long leak of 5000 baselines is read from 240 evenly spaced ones: the same slope, the last one kept', () => {
    const long = Array.from({ length: 5000 }, (_, i) => ({ time: i * 1000, bytes: 100 * MB + i * 16 * 1024 }));
    const f = forecastBaseline(long, 4096 * MB);
    expect(f.state).toBe('rising');
    if (f.state !== 'rising') return;
    expect(f.slopeBytesPerMin).toBeCloseTo(60 * 16 * 1024, 6); // 16 KB per second
    expect(f.baseline).toBeCloseTo(100 * MB + 4999 * 16 * 1024, 3);
  });
});
