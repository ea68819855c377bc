import { formatBytes, formatCount } from '../../format.js';
import type { HeapAnalysis } from '../types.js';
import { MIN_REPEATED_SIZE as MIN_SIZE, type WasteCandidates, wasteCandidates } from './candidates.js';
import { TopK } from './names.js';
import { WASTE_EXAMPLES, type WasteFinding } from './types.js';

/** The repeated slice may be at most this share of the visible text (so it repeats at least 4 times). */
const MAX_PERIOD_SHARE = 4;
// a sequential string's header on 64-bit Node (map, hash, length)
const STRING_HEADER = 16;

export const REPEATED_RULE =
  `Flat strings of ${formatBytes(MIN_SIZE)} or more whose text, as far as the snapshot shows it (V8 writes at most ` +
  'the first 1,024 characters of a string), is one slice repeated at least 4 times. Bytes: the shallow size minus ' +
  'one copy of the slice (what building the string from the slice once would save, if the rest repeats too).';

/** Large strings (the candidates' bigStrings, MIN_SIZE bytes or more) that are mostly one slice repeated. */
export function repeatedStrings(a: HeapAnalysis, cands: WasteCandidates = wasteCandidates(a)): WasteFinding[] {
  const s = a.snapshot;
  const { nodes, nodeFieldCount: nf } = s;
  const sizeOff = s.nodeSelfSizeOffset;
  let count = 0;
  let bytes = 0;
  const top = new TopK(WASTE_EXAMPLES);
  for (const o of cands.bigStrings) {
    const size = nodes[o * nf + sizeOff];
    const period = smallestPeriod(s.nodeName(o));
    if (period === 0) continue;
    const wasted = size - STRING_HEADER - period;
    count++;
    bytes += wasted;
    top.offer(o, wasted);
  }
  if (count === 0) return [];
  return [
    {
      kind: 'repeated-strings',
      title: `${formatCount(count)} large strings that are one slice repeated`,
      count,
      bytes,
      sizeKind: 'shallow',
      rule: REPEATED_RULE,
      examples: top.nodes.map((node, i) => {
        const text = s.nodeName(node);
        const slice = text.slice(0, smallestPeriod(text));
        const shown = slice.length > 40 ? `${slice.slice(0, 40)}…` : slice;
        return {
          node,
          bytes: top.sizes[i],
          detail: `${JSON.stringify(shown)} (${formatCount(slice.length)} chars) repeated, ${formatBytes(s.nodeSelfSize(node))}`,
        };
      }),
    },
  ];
}

/** The length of the shortest slice the text repeats (the last copy may be cut short), or 0 when there is none. */
export function smallestPeriod(text: string): number {
  const n = text.length;
  // prefix function (KMP): the text is a repetition of its first n - fail[n-1] characters, plus a cut copy
  const fail = new Int32Array(n);
  for (let i = 1, k = 0; i < n; i++) {
    while (k > 0 && text.charCodeAt(i) !== text.charCodeAt(k)) k = fail[k - 1];
    if (text.charCodeAt(i) === text.charCodeAt(k)) k++;
    fail[i] = k;
  }
  const period = n - (n > 0 ? fail[n - 1] : 0);
  return period > 0 && period * MAX_PERIOD_SHARE <= n ? period : 0;
}
