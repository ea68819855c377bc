// The memory watch's settings, read from the environment once at preload time. Like config.cts it never throws:
// a bad value is one line on stderr and its default, so the rest of the guard keeps working.

export interface MemoryConfig {
  /** HEAPWATCH_MAX_RSS in bytes: the limit to watch when there is no container limit (or a lower one), or null. */
  readonly maxRss: number | null;
  /** HEAPWATCH_RSS_THRESHOLD: the share of the limit (0 < f <= 1) at which the watch acts, default 0.85. */
  readonly thresholdFraction: number;
  /** ...or an absolute RSS in bytes (`HEAPWATCH_RSS_THRESHOLD=400MB`), which wins over the fraction. */
  readonly thresholdBytes: number | null;
  /** HEAPWATCH_SAMPLE=1: the sampling heap profiler runs from startup. */
  readonly sample: boolean;
  /** HEAPWATCH_SAMPLE_INTERVAL: bytes between samples (V8's default is 32 KB; ours is lower-rate). */
  readonly sampleInterval: number;
}

export const DEFAULT_RSS_THRESHOLD = 0.85;
/** One sample per 128 KB allocated: a leak of a few MB already shows its site, at a quarter of V8's default rate. */
export const DEFAULT_SAMPLE_INTERVAL = 128 * 1024;

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** `512M`, `512MB`, `512MiB`, `1.5G`, `1073741824` → bytes; null when it is not a size. */
export function parseSize(raw: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(raw);
  if (!m) return null;
  const bytes = Math.round(Number(m[1]) * UNITS[m[2].toLowerCase()]);
  return bytes > 0 && Number.isSafeInteger(bytes) ? bytes : null;
}

function maxRssOf(raw: string | undefined, warn: (m: string) => void): number | null {
  if (raw === undefined || raw === '') return null;
  const bytes = parseSize(raw);
  if (bytes === null)
    warn(`HEAPWATCH_MAX_RSS=${raw} is not a size (e.g. 512MB, 2G); watching the container limit only`);
  return bytes;
}

function thresholdOf(
  raw: string | undefined,
  warn: (m: string) => void,
): { thresholdFraction: number; thresholdBytes: number | null } {
  const fallback = { thresholdFraction: DEFAULT_RSS_THRESHOLD, thresholdBytes: null };
  if (raw === undefined || raw === '') return fallback;
  const percent = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(raw);
  if (percent) {
    const f = Number(percent[1]) / 100;
    if (f > 0 && f <= 1) return { thresholdFraction: f, thresholdBytes: null };
    warn(`HEAPWATCH_RSS_THRESHOLD=${raw} is not a share of the limit between 1% and 100%; using 85%`);
    return fallback;
  }
  const bytes = parseSize(raw);
  if (bytes !== null) return { thresholdFraction: DEFAULT_RSS_THRESHOLD, thresholdBytes: bytes };
  warn(`HEAPWATCH_RSS_THRESHOLD=${raw} is neither a percentage (85%) nor a size (400MB); using 85%`);
  return fallback;
}

export function readMemoryConfig(env: NodeJS.ProcessEnv, warn: (message: string) => void): MemoryConfig {
  const sampleRaw = env.HEAPWATCH_SAMPLE ?? '';
  const sample = sampleRaw === '1' || sampleRaw.toLowerCase() === 'true';
  if (sampleRaw !== '' && !sample && sampleRaw !== '0' && sampleRaw.toLowerCase() !== 'false') {
    warn(`HEAPWATCH_SAMPLE=${sampleRaw} is not 1 or 0; sampling stays off`);
  }
  let sampleInterval = DEFAULT_SAMPLE_INTERVAL;
  const intervalRaw = env.HEAPWATCH_SAMPLE_INTERVAL;
  if (intervalRaw !== undefined && intervalRaw !== '') {
    const bytes = parseSize(intervalRaw);
    if (bytes === null || bytes < 1024) {
      warn(`HEAPWATCH_SAMPLE_INTERVAL=${intervalRaw} is not a size of at least 1KB; using 128KB`);
    } else sampleInterval = bytes;
  }
  return {
    maxRss: maxRssOf(env.HEAPWATCH_MAX_RSS, warn),
    ...thresholdOf(env.HEAPWATCH_RSS_THRESHOLD, warn),
    sample,
    sampleInterval,
  };
}
