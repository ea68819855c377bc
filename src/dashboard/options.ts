import { usageError } from '../errors.js';

/** A percent of the heap limit, 1..100 ("85" or "85%"). */
export function parsePercent(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)%?$/.exec(text.trim());
  const value = m ? Number(m[1]) : Number.NaN;
  if (!(value >= 1 && value <= 100)) throw usageError(`${option}: not a percent between 1 and 100: ${text}`);
  return value;
}
