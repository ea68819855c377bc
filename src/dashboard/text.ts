import { formatBytes } from '../format.js';
import type { Forecast } from './forecast.js';

const MB = 1024 * 1024;

/** "+3.2 MB/min" with a sign, one decimal. */
export function formatRate(bytesPerMin: number): string {
  const mb = bytesPerMin / MB;
  return `${mb >= 0 ? '+' : '-'}${Math.abs(mb).toFixed(1)} MB/min`;
}

/** "~42 min", "<1 min", "~3.5 h" for a time to the limit. */
export function formatMinutes(minutes: number): string {
  if (minutes < 1) return '<1 min';
  if (minutes < 100) return `~${Math.round(minutes)} min`;
  return `~${(minutes / 60).toFixed(1)} h`;
}

/** The one-line verdict the forecast panel leads with. */
export function forecastHeadline(f: Forecast): string {
  switch (f.state) {
    case 'collecting':
      return `collecting: ${f.baselines} of ${f.needed} major GCs seen (g forces one)`;
    case 'stable':
      return `stable at ${formatBytes(Math.round(f.baseline))} after major GC (${formatRate(f.slopeBytesPerMin)})`;
    case 'rising':
      return `heap limit in ${formatMinutes(f.minutesToLimit)} at ${formatRate(f.slopeBytesPerMin)}`;
  }
}
