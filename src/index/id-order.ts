import type { HeapSnapshot } from '../snapshot/snapshot.js';

/** Pairs per fence: a lookup reads the fences whole (4 bytes per 512 nodes), then 4 KiB of pairs after one. */
export const FENCE = 512;

/**
 * The node ids in increasing order as (id, ordinal) pairs, the lowest ordinal first among equal ids (what a scan
 * over the nodes finds first), and the id of every FENCE-th pair: `node` finds an ordinal with one small read.
 * Two passes of a 16-bit radix sort (stable), so its time grows linearly with the nodes.
 */
export function idOrder(s: HeapSnapshot): { pairs: Uint32Array; fences: Uint32Array } {
  const n = s.nodeCount;
  const nf = s.nodeFieldCount;
  const idOff = s.nodeIdOffset;
  const ids = new Uint32Array(n);
  for (let o = 0; o < n; o++) ids[o] = s.nodes[o * nf + idOff];
  let order = new Uint32Array(n);
  for (let o = 0; o < n; o++) order[o] = o;
  let next = new Uint32Array(n);
  const counts = new Uint32Array(0x10001);
  for (const shift of [0, 16]) {
    counts.fill(0);
    for (let k = 0; k < n; k++) counts[((ids[order[k]] >>> shift) & 0xffff) + 1]++;
    for (let d = 1; d <= 0xffff; d++) counts[d] += counts[d - 1];
    for (let k = 0; k < n; k++) next[counts[(ids[order[k]] >>> shift) & 0xffff]++] = order[k];
    [order, next] = [next, order];
  }
  const pairs = new Uint32Array(2 * n);
  for (let k = 0; k < n; k++) {
    pairs[2 * k] = ids[order[k]];
    pairs[2 * k + 1] = order[k];
  }
  const fences = new Uint32Array(Math.ceil(n / FENCE));
  for (let f = 0; f < fences.length; f++) fences[f] = pairs[2 * f * FENCE];
  return { pairs, fences };
}

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
