/**
 * The time-to-OOM forecast: the trend of old-generation size right after each major GC (the live baseline).
 * A leak pushes the baseline up; garbage that a major GC collects (a saw-tooth) does not.
 */

/** One baseline: old-generation bytes still used right after a major GC. */
export interface BaselinePoint {
  time: number;
  bytes: number;
}

export type Forecast =
  | { state: 'collecting'; baselines: number; needed: number }
  | { state: 'stable'; baseline: number; slopeBytesPerMin: number }
  | { state: 'rising'; baseline: number; slopeBytesPerMin: number; limit: number; minutesToLimit: number };

/** Fewest baselines that give three non-empty thirds with a middle to compare. */
export const MIN_BASELINES = 5;
/** A rise between thirds smaller than this is noise: 1 MiB or 0.5% of the baseline, whichever is larger. */
export const NOISE_FLOOR_BYTES = 1024 * 1024;
export const NOISE_FRACTION = 0.005;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Running median of 3 with Tukey's end-point rule: removes single outliers, keeps steps. */
function medianOf3(y: number[]): number[] {
  const n = y.length;
  const out = y.map((v, i) => (i === 0 || i === n - 1 ? v : median([y[i - 1], v, y[i + 1]])));
  out[0] = median([y[0], out[1], 3 * out[1] - 2 * out[2]]);
  out[n - 1] = median([y[n - 1], out[n - 2], 3 * out[n - 2] - 2 * out[n - 3]]);
  return out;
}

/** Theil–Sen slope (median of pairwise slopes, bytes per ms): one outlier baseline cannot bend it. */
function theilSenSlope(points: readonly BaselinePoint[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const dt = points[j].time - points[i].time;
      if (dt > 0) slopes.push((points[j].bytes - points[i].bytes) / dt);
    }
  }
  return slopes.length === 0 ? 0 : median(slopes);
}

/** Theil–Sen looks at every pair: beyond this many baselines, evenly spaced ones (always the last) stand for all. */
export const MAX_BASELINES = 240;

function thin(points: readonly BaselinePoint[], max: number): readonly BaselinePoint[] {
  if (points.length <= max) return points;
  const out: BaselinePoint[] = [];
  const last = points.length - 1;
  for (let k = 0; k < max; k++) out.push(points[Math.round((k * last) / (max - 1))]);
  return out;
}

/** A rise is a trend only if no single jump between consecutive baselines made more than this share of it. */
export const MAX_SINGLE_JUMP_SHARE = 2 / 3;

/**
 * Rising means a sustained climb: the medians of the first, middle and last third of the baselines go up,
 * the last third's exceeds the first's by more than the noise, and the rise was not made by one jump
 * (jumps are measured after a running median of 3, so a single outlier baseline is not a jump).
 * A single step (a cache filling once) is therefore stable; a ramp or a staircase of several steps rises.
 * `oldLimit` is the old-generation size at which V8 gives up (heap limit minus what the other spaces hold).
 */
export function forecastBaseline(all: readonly BaselinePoint[], oldLimit: number): Forecast {
  if (all.length < MIN_BASELINES) return { state: 'collecting', baselines: all.length, needed: MIN_BASELINES };
  const points = thin(all, MAX_BASELINES);
  const n = points.length;

  const third = Math.floor(n / 3);
  const bytes = points.map((p) => p.bytes);
  const m1 = median(bytes.slice(0, third));
  const m2 = median(bytes.slice(third, n - third));
  const m3 = median(bytes.slice(n - third));
  const noise = Math.max(NOISE_FLOOR_BYTES, NOISE_FRACTION * m1);
  const smooth = medianOf3(bytes);
  let maxJump = 0;
  for (let i = 1; i < n; i++) maxJump = Math.max(maxJump, smooth[i] - smooth[i - 1]);
  const rise = m3 - m1;
  const sustained = m1 < m2 && m2 < m3 && rise > noise && maxJump <= MAX_SINGLE_JUMP_SHARE * rise;

  const slope = theilSenSlope(points);
  // The line through the baselines at the last one's time (median intercept, as Theil–Sen does).
  const t0 = points[0].time;
  const intercept = median(points.map((p) => p.bytes - slope * (p.time - t0)));
  const baseline = intercept + slope * (points[n - 1].time - t0);
  const slopeBytesPerMin = slope * 60_000;

  // stable: the floor is where the last third of the baselines sits, not a line bent by an old step
  if (!sustained || slope <= 0) return { state: 'stable', baseline: m3, slopeBytesPerMin };
  const minutesToLimit = Math.max(0, (oldLimit - baseline) / slopeBytesPerMin);
  return { state: 'rising', baseline, slopeBytesPerMin, limit: oldLimit, minutesToLimit };
}
