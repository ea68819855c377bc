import { GcCounters, type GcRow } from './gc-table.js';
import type { LiveTarget } from './live-target.js';
import type { Sample } from './types.js';

/**
 * `heapwatch gc`'s loop: up to `count` samples of a live target (guard socket or inspector), one every `intervalMs` (the first at once),
 * each handed to `onRow` with the GC counters since the start; stops early when `onRow` returns false.
 */
export async function sampleGc(
  live: Pick<LiveTarget, 'startSampler'>,
  opts: { intervalMs: number; count: number },
  onRow: (row: GcRow, sample: Sample) => boolean | undefined,
): Promise<void> {
  const start = Date.now();
  const sampler = await live.startSampler(opts.intervalMs);
  const counters = new GcCounters(start);
  for (let i = 0; i < opts.count; i++) {
    if (i > 0) {
      const wait = start + i * opts.intervalMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const sample = await sampler.sample();
    if (onRow(counters.add(sample), sample) === false) return;
  }
}
