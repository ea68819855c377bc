import { usageError } from '../errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/** "250ms", "1s", "1.5s", "10m", "1h"; a bare number is seconds. */
export function parseDuration(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|min|h)?$/.exec(text.trim());
  if (!m) throw usageError(`${option}: not a duration: ${text} (use e.g. 500ms, 1s, 10m)`);
  const ms = Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 's']);
  if (ms <= 0) throw usageError(`${option}: must be more than zero: ${text}`);
  return ms;
}

/** A percent of the heap limit, 1..100 ("85" or "85%"). */
export function parsePercent(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)%?$/.exec(text.trim());
  const value = m ? Number(m[1]) : Number.NaN;
  if (!(value > 0 && value <= 100)) throw usageError(`${option}: not a percent between 1 and 100: ${text}`);
  return value;
}
