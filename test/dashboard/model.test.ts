import { describe, expect, it } from 'vitest';
import { DashboardModel } from '../../src/dashboard/model.js';
import type { GcEvent, Sample } from '../../src/live/types.js';

const MB = 1024 * 1024;
const T0 = 1_700_000_000_000;

/** A sample as the sampler writes it, with Node 22's space names; old used/capacity in MB. */
function sample(i: number, oldMb: number, gcEvents: GcEvent[] = [], limitMb = 512): Sample {
  const space = (name: string, group: 'young' | 'old' | 'code' | 'other', used: number, size: number) => ({
    name,
    group,
    used,
    size,
    available: size - used,
    physical: size,
  });
  const spaces = [
    space('new_space', 'young', 3 * MB, 16 * MB),
    space('new_large_object_space', 'young', 0, 0),
    space('old_space', 'old', (oldMb - 2) * MB, (oldMb + 8) * MB),
    space('large_object_space', 'old', 2 * MB, 2 * MB),
    space('trusted_space', 'old', 0, 0),
    space('code_space', 'code', 1 * MB, 2 * MB),
    space('read_only_space', 'other', 0, 0),
  ];
  const used = spaces.reduce((s, x) => s + x.used, 0);
  const size = spaces.reduce((s, x) => s + x.size, 0);
  return {
    time: T0 + i * 1000,
    pid: 4242,
    spaces,
    heap: {
      totalHeapSize: size,
      usedHeapSize: used,
      heapSizeLimit: limitMb * MB,
      totalAvailableSize: limitMb * MB - used,
      mallocedMemory: 0,
      externalMemory: 0,
    },
    memory: { rss: 80 * MB, heapTotal: size, heapUsed: used, external: 2 * MB, arrayBuffers: MB },
    gcEvents,
  };
}
const gc = (kind: GcEvent['kind'], i: number, durationMs: number, oldUsedAfter?: number): GcEvent => ({
  kind,
  startTime: T0 + i * 1000 - 500,
  durationMs,
  flags: 0,
  oldUsedAfter,
});

describe('DashboardModel', () => {
  it('groups spaces: young, old (old + large objects + trusted), code, other', () => {
    const m = new DashboardModel({ windowMs: 60_000 });
    const p = m.add(sample(0, 50));
    expect(p.groups.young).toEqual({ used: 3 * MB, capacity: 16 * MB });
    expect(p.groups.old).toEqual({ used: 50 * MB, capacity: 60 * MB });
    expect(p.groups.code).toEqual({ used: MB, capacity: 2 * MB });
    expect(p.groups.other).toEqual({ used: 0, capacity: 0 });
    expect(p.heapUsed).toBe(54 * MB);
    expect(p.gcFraction).toBeUndefined();
    // 512 MB limit - 16 MB young capacity - 1 MB code
    expect(m.oldLimit()).toBe(495 * MB);
  });

  it('aggregates GC per kind, keeps the last 8 pauses, GC% of the interval', () => {
    const m = new DashboardModel({ windowMs: 60_000 });
    m.add(sample(0, 50));
    m.add(sample(1, 50, [gc('minor', 1, 2), gc('minor', 1, 3), gc('incremental', 1, 0.5), gc('major', 1, 14.5)]));
    expect(m.latest()!.gcFraction).toBeCloseTo(20 / 1000, 12);
    m.add(sample(2, 50, [gc('weakcb', 2, 1), ...Array.from({ length: 6 }, () => gc('minor', 2, 1))]));
    expect(m.gc.minor).toEqual({ count: 8, totalMs: 11, maxMs: 3 });
    expect(m.gc.major).toEqual({ count: 1, totalMs: 14.5, maxMs: 14.5 });
    expect(m.gc.incremental).toEqual({ count: 1, totalMs: 0.5, maxMs: 0.5 });
    expect(m.gc.weakcb).toEqual({ count: 1, totalMs: 1, maxMs: 1 });
    expect(m.totalGcMs()).toBe(27);
    expect(m.lastPauses().map((e) => e.kind)).toEqual(['major', 'weakcb', ...Array(6).fill('minor')]);
    expect(m.latest()!.gcFraction).toBeCloseTo(7 / 1000, 12);
  });

  it('saw-tooth: old gen climbs and a major GC brings it back to the same floor: stable', () => {
    const m = new DashboardModel({ windowMs: 600_000 });
    // 60 → 100 MB in 10 MB steps, then a major GC back to 60, seven times
    let i = 0;
    for (let cycle = 0; cycle < 7; cycle++) {
      for (const mb of [70, 80, 90, 100]) m.add(sample(i++, mb, [gc('minor', i, 1)]));
      m.add(sample(i++, 60, [gc('major', i, 12)]));
    }
    expect(m.baselines().map((b) => b.bytes / MB)).toEqual([60, 60, 60, 60, 60, 60, 60]);
    const f = m.forecast();
    expect(f).toEqual({ state: 'stable', baseline: 60 * MB, slopeBytesPerMin: 0 });
  });

  it("linear leak: each major GC leaves 5 MB more; forecast from the sampler's own oldUsedAfter", () => {
    const m = new DashboardModel({ windowMs: 600_000 });
    // one major every 10 s, after which 100, 105, 110 ... MB stay; old used at sample time is higher (noise)
    for (let k = 0; k < 8; k++) {
      for (let j = 1; j < 10; j++) m.add(sample(k * 10 + j, 110 + 5 * k + j));
      m.add(sample(k * 10 + 10, 130 + 5 * k, [gc('major', k * 10 + 10, 20, (100 + 5 * k) * MB)]));
    }
    // the baseline time is the end of the GC (start + duration)
    expect(m.baselines()[0]).toEqual({ time: T0 + 10_000 - 500 + 20, bytes: 100 * MB });
    const f = m.forecast();
    expect(f.state).toBe('rising');
    if (f.state !== 'rising') return;
    expect(f.slopeBytesPerMin).toBeCloseTo(30 * MB, 6); // 5 MB per 10 s
    expect(f.baseline).toBeCloseTo(135 * MB, 3);
    expect(f.limit).toBe(495 * MB);
    expect(f.minutesToLimit).toBeCloseTo((495 - 135) / 30, 9); // 12 min
  });

  it('step: the floor jumps once and stays: stable at the new floor', () => {
    const m = new DashboardModel({ windowMs: 600_000 });
    const floors = [60, 60, 60, 60, 90, 90, 90, 90, 90];
    floors.forEach((mb, k) => {
      m.add(sample(2 * k, mb + 20));
      m.add(sample(2 * k + 1, mb, [gc('major', 2 * k + 1, 9)]));
    });
    const f = m.forecast();
    expect(f.state).toBe('stable');
  });

  it('keeps only the window of points and the forecast window of baselines', () => {
    const m = new DashboardModel({ windowMs: 10_000, forecastWindowMs: 20_000 });
    for (let i = 0; i <= 30; i++) m.add(sample(i, 50, [gc('major', i, 1)]));
    expect(m.points().length).toBe(11); // t = 20 s … 30 s
    expect(m.points()[0].time).toBe(T0 + 20_000);
    expect(m.baselines().length).toBe(21); // t = 10 s … 30 s
    expect(m.samples).toBe(31);
    expect(m.firstTime).toBe(T0);
  });
});
