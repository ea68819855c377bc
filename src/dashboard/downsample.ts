/**
 * Fits a long series into the chart's width: consecutive points are grouped into at most `maxPoints` buckets of
 * (nearly) equal size; each bucket keeps its last time and, per column, its largest value, so a peak between
 * two pixels is not lost (a heap chart must never hide how high memory went).
 */
export function downsampleMax(
  times: readonly number[],
  columns: readonly (readonly number[])[],
  maxPoints: number,
): { times: number[]; columns: number[][] } {
  const n = times.length;
  if (n <= maxPoints || maxPoints < 1) return { times: [...times], columns: columns.map((c) => [...c]) };
  const outTimes: number[] = [];
  const out = columns.map(() => [] as number[]);
  for (let b = 0; b < maxPoints; b++) {
    const from = Math.floor((b * n) / maxPoints);
    const to = Math.floor(((b + 1) * n) / maxPoints); // exclusive
    outTimes.push(times[to - 1]);
    columns.forEach((column, c) => {
      let max = column[from];
      for (let i = from + 1; i < to; i++) if (column[i] > max) max = column[i];
      out[c].push(max);
    });
  }
  return { times: outTimes, columns: out };
}
