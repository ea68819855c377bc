/**
 * An estimate of the memory held by an analysis: the bytes of every distinct ArrayBuffer (typed arrays, Buffers,
 * shared memory) reachable within a few property hops, plus the characters of strings in arrays (class names).
 * The engine keeps everything big in typed arrays, so this is within a few percent of what it really holds.
 */
export function estimateBytes(root: unknown, maxDepth = 6): number {
  const buffers = new Set<ArrayBufferLike>();
  const seen = new Set<object>();
  let strings = 0;
  const visit = (value: unknown, depth: number): void => {
    if (typeof value === 'string') {
      strings += 16 + value.length;
      return;
    }
    if (value === null || typeof value !== 'object') return;
    if (ArrayBuffer.isView(value)) {
      buffers.add(value.buffer);
      return;
    }
    if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) {
      buffers.add(value);
      return;
    }
    if (depth >= maxDepth || seen.has(value) || value instanceof Promise) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    for (const key of Object.keys(value)) visit((value as Record<string, unknown>)[key], depth + 1);
  };
  visit(root, 0);
  let bytes = strings;
  for (const b of buffers) bytes += b.byteLength;
  return bytes;
}

/** `512MB`, `2GB`, `1.5GiB`, `800000000`: a size in bytes (KB/MB/GB as powers of 1024, like the reports). */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(|B|K|KB|KiB|M|MB|MiB|G|GB|GiB)$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = m[2].toUpperCase().replace('IB', 'B');
  const factor =
    unit === 'K' || unit === 'KB'
      ? 2 ** 10
      : unit === 'M' || unit === 'MB'
        ? 2 ** 20
        : unit === 'G' || unit === 'GB'
          ? 2 ** 30
          : 1;
  const n = Math.floor(Number(m[1]) * factor);
  return n > 0 ? n : undefined;
}
