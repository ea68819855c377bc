/** Human units for text output: B, KB, MB, GB with one decimal (1 KB = 1024 B). JSON always carries bytes. */
export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs < 1024) return `${bytes} B`;
  if (abs < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (abs < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

/**
 * 1234567 → "1,234,567", as toLocaleString('en-US') writes it but without ICU's number formats, whose first use
 * costs 60-90 ms (a whole `analyze --json` otherwise never loads them).
 */
export function formatCount(n: number): string {
  const r = Math.round(n);
  // what the digits below do not cover (never a count): ICU's own text
  if (!Number.isFinite(r) || Math.abs(r) >= 1e21 || Object.is(r, -0)) return r.toLocaleString('en-US');
  const digits = String(Math.abs(r));
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let at = out.length; at < digits.length; at += 3) out += `,${digits.slice(at, at + 3)}`;
  return r < 0 ? `-${out}` : out;
}

/** Percent with one decimal: 0.1234 → "12.3%". */
export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** Pads/truncates for fixed-width text tables. */
export function padLeft(s: string, width: number): string {
  return s.length >= width ? s : ' '.repeat(width - s.length) + s;
}

export function padRight(s: string, width: number): string {
  return s.length >= width ? s : s + ' '.repeat(width - s.length);
}
