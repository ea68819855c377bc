import { describe, expect, test } from 'vitest';
import { nodeTarget, targetOf } from '../../src/redact/node-target.js';

// the edge walks' to_node check without a division: the node `to` names, exactly as to % nf and to / nf tell
describe('nodeTarget', () => {
  test.each([1, 2, 3, 5, 6, 7, 8, 12])('node_fields %i: every to_node near the limits and around multiples', (nf) => {
    for (const nodeCount of [1, 1000, 8_011_560, 2 ** 32]) {
      const t = nodeTarget(nf, nodeCount);
      const last = Math.floor(0xffffffff / nf);
      const tos = [0xffffffff, 0x80000000, 0x7fffffff];
      for (let to = 0; to < 2000; to++) tos.push(to);
      for (const m of [1000, 8_011_559, 8_011_560, 2 ** 31 / nf, last - 1, last]) {
        for (let d = -nf - 1; d <= nf + 1; d++) tos.push(Math.floor(m) * nf + d);
      }
      for (let k = 0; k < 2000; k++) tos.push(Math.floor(((k * 2654435761) % 2 ** 32) >>> 0));
      const wrong = tos
        .filter((to) => to >= 0 && to <= 0xffffffff)
        .filter((to) => {
          const q = targetOf(t, to);
          const want = to % nf === 0 && to / nf < nodeCount ? to / nf : -1;
          return (q < t.limit ? q : -1) !== want;
        });
      expect(wrong, `nodeCount ${nodeCount}`).toEqual([]);
    }
  });
});
