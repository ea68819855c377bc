import { describe, expect, it } from 'vitest';
import { formatGcRow, GcCounters } from '../../src/live/gc-table.js';
import type { GcEvent, Sample } from '../../src/live/types.js';

const MB = 1048576;

function sample(time: number, gcEvents: GcEvent[]): Sample {
  return {
    time,
    pid: 42,
    spaces: [
      { name: 'new_space', group: 'young', size: 8 * MB, used: 2 * MB, available: 6 * MB, physical: 8 * MB },
      { name: 'old_space', group: 'old', size: 20 * MB, used: 10 * MB, available: 10 * MB, physical: 20 * MB },
    ],
    heap: {
      totalHeapSize: 28 * MB,
      usedHeapSize: 12 * MB,
      heapSizeLimit: 100 * MB,
      totalAvailableSize: 88 * MB,
      mallocedMemory: 0,
      externalMemory: 0,
    },
    memory: { rss: 50 * MB, heapTotal: 28 * MB, heapUsed: 12 * MB, external: 0, arrayBuffers: 0 },
    gcEvents,
  };
}

const gc = (kind: GcEvent['kind'], startTime: number, durationMs: number): GcEvent => ({
  kind,
  startTime,
  durationMs,
  flags: 0,
});

describe('GcCounters', () => {
  it("GC% counts only the GC time inside each row's interval; the counters keep every millisecond", () => {
    const counters = new GcCounters(0);
    expect(counters.add(sample(1000, [gc('minor', 200, 10)])).intervalGcMs).toBe(10);
    // two pauses wholly inside a long interval (1000..3100)
    const afterPause = counters.add(sample(3100, [gc('major', 1050, 1500), gc('major', 2600, 400)]));
    expect(afterPause.intervalMs).toBe(2100);
    expect(afterPause.intervalGcMs).toBe(1900); // 1050..2550 and 2600..3000
    // a pause that began before the last sample and ended after it: only its part after 3100 counts
    const short = counters.add(sample(3200, [gc('major', 3090, 40), gc('minor', 3150, 20)]));
    expect(short.intervalMs).toBe(100);
    expect(short.intervalGcMs).toBe(50); // 3100..3130 of the first, all of the second
    expect(formatGcRow(short, false).trim().split(/ +/).at(-1)).toBe('50.0');
    expect(short.counts.major).toEqual({ count: 3, timeMs: 1940 });
    expect(short.counts.minor).toEqual({ count: 2, timeMs: 30 });
    expect(short.totalGcMs).toBe(1970);
  });

  it('a GC reported a row late, wholly before the interval, adds to the counters but not to GC%', () => {
    const counters = new GcCounters(0);
    counters.add(sample(1000, []));
    // before: 500 ms of GC in a 50 ms interval read as GC% 1000.0
    const late = counters.add(sample(1050, [gc('major', 400, 500)]));
    expect(late.intervalGcMs).toBe(0);
    expect(formatGcRow(late, false).trim().split(/ +/).at(-1)).toBe('0.0');
    expect(late.totalGcMs).toBe(500);
    expect(late.counts.major.count).toBe(1);
  });
});
