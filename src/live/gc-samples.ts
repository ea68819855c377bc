import { GcCounters, type GcRow } from './gc-table.js';
import { startSampler } from './sampler.js';
import type { Session } from './session.js';
import type { Sample } from './types.js';

/**
 * `heapwatch gc`'s loop: up to `count` samples of an attached target, one every `intervalMs` (the first at once),
 * each handed to `onRow` with the GC counters since the start; stops early when `onRow` returns false.
 */
export async function sampleGc(
  session: Session,
  opts: { intervalMs: number; count: number },
  onRow: (row: GcRow, sample: Sample) => boolean | undefined,
): Promise<void> {
  const start = Date.now();
  const sampler = await startSampler(session, { intervalMs: opts.intervalMs });
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
