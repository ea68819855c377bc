import type { HeapSnapshot } from '../snapshot/snapshot.js';
import type { PiecewiseSection } from './index-file.js';

/** Pairs per fence: a lookup reads the fences whole (4 bytes per 512 nodes), then 4 KiB of pairs after one. */
export const FENCE = 512;

/**
 * The node ids in increasing order as (id, ordinal) pairs, the lowest ordinal first among equal ids (what a scan
 * over the nodes finds first), and the id of every FENCE-th pair: `node` finds an ordinal with one small read.
 * Two passes of a 16-bit radix sort (stable), so its time grows linearly with the nodes.
 */
export function idOrder(s: HeapSnapshot): { pairs: PiecewiseSection; fences: Uint32Array } {
  const n = s.nodeCount;
  const nf = s.nodeFieldCount;
  const idOff = s.nodeIdOffset;
  const { nodes } = s;
  let order = new Uint32Array(n);
  for (let o = 0; o < n; o++) order[o] = o;
  let next = new Uint32Array(n);
  const counts = new Uint32Array(0x10001);
  for (const shift of [0, 16]) {
    counts.fill(0);
    for (let k = 0; k < n; k++) counts[((nodes[order[k] * nf + idOff] >>> shift) & 0xffff) + 1]++;
    for (let d = 1; d <= 0xffff; d++) counts[d] += counts[d - 1];
    for (let k = 0; k < n; k++) next[counts[(nodes[order[k] * nf + idOff] >>> shift) & 0xffff]++] = order[k];
    [order, next] = [next, order];
  }
  const sorted = order;
  const fences = new Uint32Array(Math.ceil(n / FENCE));
  for (let f = 0; f < fences.length; f++) fences[f] = nodes[sorted[f * FENCE] * nf + idOff];
  // the pairs are made while they are written: only the order (4 bytes a node) is kept meanwhile
  function* pieces(): Iterable<Uint32Array> {
    const piece = new Uint32Array(2 * PIECE_PAIRS);
    for (let from = 0; from < n; from += PIECE_PAIRS) {
      const to = Math.min(n, from + PIECE_PAIRS);
      for (let k = from; k < to; k++) {
        piece[2 * (k - from)] = nodes[sorted[k] * nf + idOff];
        piece[2 * (k - from) + 1] = sorted[k];
      }
      yield piece.subarray(0, 2 * (to - from));
    }
  }
  return { pairs: { kind: 'u32', length: 2 * n, pieces }, fences };
}

const PIECE_PAIRS = 1 << 16;

/** The pairs [from, to) that hold `id` if any pair does (a fence's worth; more only if equal ids cross fences). */
export function pairsFor(fences: Uint32Array, pairCount: number, id: number): [number, number] {
  let lo = 0;
  let hi = fences.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (fences[mid] <= id) lo = mid + 1;
    else hi = mid;
  }
  // equal ids may run on from the fence before: start one fence earlier while a fence begins with the id
  let f = Math.max(0, lo - 1);
  while (f > 0 && fences[f] === id) f--;
  return [f * FENCE, Math.min(pairCount, Math.max(lo, f + 1) * FENCE)];
}

/** The ordinal of `id` among pairs [from, to) (pair indexes), the first of equal ids, or -1. */
export function ordinalIn(pairs: Uint32Array, from: number, to: number, id: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pairs[2 * mid] < id) lo = mid + 1;
    else hi = mid;
  }
  return lo < to && pairs[2 * lo] === id ? pairs[2 * lo + 1] : -1;
}
