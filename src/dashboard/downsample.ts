/**
 * Lays a series out on an even time grid for the chart, whose x axis spaces points evenly: `buckets` equal slices
 * of the time from the first to the last sample, each labelled with its end time, so the axis is proportional to
 * time even when samples are not (a dump or a stalled target leaves a gap). A slice keeps, per column, the largest
 * value of its samples, so a peak between two pixels is not lost (a heap chart must never hide how high memory
 * went); a slice without samples holds the last value before it.
 */
export function resampleByTime(
  times: readonly number[],
  columns: readonly (readonly number[])[],
  buckets: number,
): { times: number[]; columns: number[][] } {
  const n = times.length;
  const span = n > 0 ? times[n - 1] - times[0] : 0;
  if (n < 2 || span <= 0 || buckets < 2) return { times: [...times], columns: columns.map((c) => [...c]) };
  const start = times[0];
  const outTimes = Array.from({ length: buckets }, (_, b) => start + Math.round(((b + 1) * span) / buckets));
  const out = columns.map(() => new Array<number>(buckets).fill(Number.NEGATIVE_INFINITY));
  const sliceOf = (t: number) => Math.min(buckets - 1, Math.floor(((t - start) * buckets) / span));
  for (let i = 0; i < n; i++) {
    const b = sliceOf(times[i]);
    columns.forEach((column, c) => {
      if (column[i] > out[c][b]) out[c][b] = column[i];
    });
  }
  // the first slice always holds the first sample; an empty slice carries the value it would have shown
  const last = columns.map((column) => column[0]);
  for (let b = 0, i = 0; b < buckets; b++) {
    while (i < n && sliceOf(times[i]) <= b) i++;
    columns.forEach((column, c) => {
      if (out[c][b] === Number.NEGATIVE_INFINITY) out[c][b] = last[c];
      last[c] = i > 0 ? column[i - 1] : column[0];
    });
  }
  return { times: outTimes, columns: out };
}
