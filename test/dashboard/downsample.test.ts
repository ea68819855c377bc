import { describe, expect, it } from 'vitest';
import { downsampleMax } from '../../src/dashboard/downsample.js';

describe('downsampleMax', () => {
  it('keeps short series as they are', () => {
    expect(downsampleMax([1, 2, 3], [[5, 6, 7]], 3)).toEqual({ times: [1, 2, 3], columns: [[5, 6, 7]] });
  });

  it('10 points into 4 buckets of 2, 3, 2, 3: last time and largest value of each', () => {
    // bucket bounds floor(b*10/4): 0, 2, 5, 7, 10
    const times = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const used = [1, 9, 2, 3, 8, 4, 4, 7, 1, 2];
    const cap = [10, 10, 10, 20, 20, 20, 20, 30, 30, 30];
    expect(downsampleMax(times, [used, cap], 4)).toEqual({
      times: [1, 4, 6, 9],
      columns: [
        [9, 8, 4, 7],
        [10, 20, 20, 30],
      ],
    });
  });
});
