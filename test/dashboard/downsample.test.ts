import { describe, expect, it } from 'vitest';
import { resampleByTime } from '../../src/dashboard/downsample.js';

describe('resampleByTime: the chart spaces points evenly, so they are laid on an even time grid', () => {
  it('samples at uneven times: labels evenly spaced in time, each slice its largest value', () => {
    // the newcomer's axis: samples at +0 s, +18 s, +56 s, +61 s were drawn evenly spaced
    const times = [0, 18_000, 56_000, 61_000];
    const used = [10, 30, 20, 25];
    const r = resampleByTime(times, [used], 6); // slices of 10,166 ms
    const steps = r.times.slice(1).map((t, i) => t - r.times[i]);
    expect(Math.max(...steps) - Math.min(...steps)).toBeLessThanOrEqual(1);
    expect(r.times.at(-1)).toBe(61_000);
    // slice 0 [0, 10.2 s): 10; slice 1: 30 (the +18 s sample); 2-4 hold 30 (no samples: the 38 s gap);
    // slice 5 holds +56 s and +61 s: the larger, 25
    expect(r.columns).toEqual([[10, 30, 30, 30, 30, 25]]);
  });

  it('a peak between two pixels is kept', () => {
    const times = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const used = [1, 9, 2, 3, 8, 4, 4, 7, 1, 2];
    const r = resampleByTime(times, [used], 3); // slices of 3 time units: [0,3) [3,6) [6,9]
    expect(r.times).toEqual([3, 6, 9]);
    expect(r.columns).toEqual([[9, 8, 7]]);
  });

  it('one sample, or none, as it is', () => {
    expect(resampleByTime([5], [[1]], 10)).toEqual({ times: [5], columns: [[1]] });
    expect(resampleByTime([], [[]], 10)).toEqual({ times: [], columns: [[]] });
  });
});
