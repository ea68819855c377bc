/**
 * An edge's to_node field checked and turned into a node ordinal without a division (the edge walks do it 23 M
 * times at 660 MB): for nf = d·2^k with d odd, rotr(to·d⁻¹ mod 2^32, k) is to / nf when nf divides `to`, and is
 * above (2^32-1) / nf when it does not (Hacker's Delight, 10-17). So `to` names a node exactly when
 * nodeTarget(to) < limit, and then that is its ordinal:
 *
 *   const x = Math.imul(to, inverse);
 *   const target = ((x >>> shift) | (x << rotate)) >>> 0;
 */
export interface NodeTarget {
  /** The inverse of nf's odd part modulo 2^32. */
  inverse: number;
  /** nf's power of two, and the left shift that completes the rotation (32 - shift, modulo 32). */
  shift: number;
  rotate: number;
  /** The node count, or fewer when nf · nodeCount passes 2^32 (no 32-bit field could name those nodes). */
  limit: number;
}

export function nodeTarget(nf: number, nodeCount: number): NodeTarget {
  let odd = nf;
  let shift = 0;
  while ((odd & 1) === 0) {
    odd >>>= 1;
    shift++;
  }
  // Newton's iteration doubles the correct low bits each step: 3 bits (odd · odd ≡ 1 mod 8) → 48
  let inverse = odd;
  for (let k = 0; k < 4; k++) inverse = Math.imul(inverse, 2 - Math.imul(odd, inverse));
  return { inverse, shift, rotate: (32 - shift) & 31, limit: Math.min(nodeCount, Math.floor(0xffffffff / nf) + 1) };
}

/** The ordinal of the node `to` names, or a value >= t.limit when it names none (the loops inline this). */
export function targetOf(t: NodeTarget, to: number): number {
  const x = Math.imul(to, t.inverse);
  return ((x >>> t.shift) | (x << t.rotate)) >>> 0;
}
