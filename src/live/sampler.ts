import { randomBytes } from 'node:crypto';
import type { WireGcEvent, WireSample } from '../guard/socket-protocol.cjs';
import type { Session } from './session.js';
import type { GcEvent, HeapSpace, Sample } from './types.js';

/**
 * Heap spaces and GC events of a live process. Each sample is one Runtime.evaluate; an injected
 * PerformanceObserver('gc') keeps each heapwatch session's GC events in the target until that session's next
 * sample takes them. The target never sends a message nobody asked for (no Runtime.addBinding): Node's inspector
 * (20.x at least) crashes with SIGSEGV when it writes to a client that has just vanished, e.g. a SIGKILLed
 * heapwatch, so every unsolicited notification, one per GC, was a chance to kill the target.
 */
export interface Sampler {
  /** Reads one sample: heap spaces, heap statistics, process memory and the GC events since the last sample. */
  sample(): Promise<Sample>;
  /** Removes the injected observer from the target (also done by session.detach()). Idempotent. */
  stop(): Promise<void>;
}

// not the key of the earlier push design (heapwatch.gc): its state, if a running target still has it, is left alone
const STATE_KEY = 'heapwatch.gc-events';
/** A session that has not sampled for this long is considered gone (its heapwatch was killed) and is dropped. */
const MIN_TTL_MS = 120_000;
/** GC events kept per session between two samples; a stalled heapwatch costs the target no more than this. */
const MAX_KEPT_EVENTS = 10_000;

// Where heapwatch groups a V8 heap space. Names differ between V8 versions, so anything unknown is old generation.
const YOUNG = new Set(['new_space', 'new_large_object_space', 'semi_space']);
const CODE = new Set(['code_space', 'code_large_object_space']);
const OTHER = new Set(['read_only_space']);

export function spaceGroup(name: string): HeapSpace['group'] {
  if (YOUNG.has(name)) return 'young';
  if (CODE.has(name)) return 'code';
  if (OTHER.has(name)) return 'other';
  return 'old';
}

const KIND_BY_CODE: Record<number, GcEvent['kind']> = { 1: 'minor', 4: 'major', 8: 'incremental', 16: 'weakcb' };

const BUILTIN = `(n) => (process.getBuiltinModule ? process.getBuiltinModule(n) : require(n))`;

/** Installs (once per process) the observer and registers this session; runs in the target. */
function installExpression(sessionId: string, ttlMs: number): string {
  return `(() => {
  const g = globalThis, KEY = Symbol.for(${JSON.stringify(STATE_KEY)});
  let st = g[KEY];
  if (!st) {
    const builtin = ${BUILTIN};
    const perf = builtin('perf_hooks'), v8 = builtin('v8');
    const origin = perf.performance.timeOrigin;
    const convert = (entries) => {
      let spaces;
      return entries.map((e) => {
        const d = e.detail || e;
        const ev = [d.kind, origin + e.startTime, e.duration, d.flags | 0];
        if (d.kind === 4) ev.push(spaces || (spaces = v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size])));
        return ev;
      });
    };
    const teardown = () => {
      st.observer.disconnect();
      st.sessions.clear();
      delete g[KEY];
    };
    // every session keeps its own copy of each event until its next sample takes them
    const keep = (events) => {
      const now = Date.now();
      for (const [id, s] of st.sessions) {
        if (now - s.seen > s.ttl) { st.sessions.delete(id); continue; }
        for (const ev of events) s.events.push(ev);
        if (s.events.length > ${MAX_KEPT_EVENTS}) s.events.splice(0, s.events.length - ${MAX_KEPT_EVENTS});
      }
      if (st.sessions.size === 0) teardown();
    };
    const observer = new perf.PerformanceObserver((list) => keep(convert(list.getEntries())));
    st = { sessions: new Map(), observer, convert, keep, teardown };
    Object.defineProperty(g, KEY, { value: st, configurable: true, enumerable: false, writable: false });
    observer.observe({ entryTypes: ['gc'] });
  }
  st.sessions.set(${JSON.stringify(sessionId)}, { seen: Date.now(), ttl: ${ttlMs}, events: [] });
  return st.sessions.size;
})()`;
}

/** Unregisters this session; the last one out removes the observer and the state. */
function removeExpression(sessionId: string): string {
  return `(() => {
  const st = globalThis[Symbol.for(${JSON.stringify(STATE_KEY)})];
  if (!st) return 0;
  st.sessions.delete(${JSON.stringify(sessionId)});
  if (st.sessions.size === 0) st.teardown();
  return st.sessions.size;
})()`;
}

/** The one evaluate of a tick. `gc` is null when this session's observer registration is missing. */
function sampleExpression(sessionId: string): string {
  return `(() => {
  const builtin = ${BUILTIN};
  const v8 = builtin('v8');
  const st = globalThis[Symbol.for(${JSON.stringify(STATE_KEY)})];
  const me = st && st.sessions.get(${JSON.stringify(sessionId)});
  let gc = null;
  if (me) { me.seen = Date.now(); st.keep(st.convert(st.observer.takeRecords())); gc = me.events; me.events = []; }
  return { t: Date.now(), pid: process.pid, u: process.uptime(), s: v8.getHeapSpaceStatistics(), h: v8.getHeapStatistics(), m: process.memoryUsage(), gc };
})()`;
}

// one shape for both ways in: the guard's socket answers what the inspector's evaluate above returns
export type RawEvent = WireGcEvent;
export type RawSample = WireSample;

export function toGcEvent(raw: RawEvent): GcEvent | undefined {
  const kind = KIND_BY_CODE[raw[0]];
  if (!kind) return undefined;
  const event: GcEvent = { kind, startTime: raw[1], durationMs: raw[2], flags: raw[3] };
  if (raw[4]) {
    let old = 0;
    for (const [name, used] of raw[4]) if (spaceGroup(name) === 'old') old += used;
    event.oldUsedAfter = old;
  }
  return event;
}

/** Injects the GC observer (idempotent, shared with other heapwatch sessions) and returns a sampler. */
export async function startSampler(session: Session, options: { intervalMs?: number } = {}): Promise<Sampler> {
  const sessionId = randomBytes(6).toString('hex');
  const ttlMs = Math.max(MIN_TTL_MS, 5 * (options.intervalMs ?? 1000));
  let stopped = false;

  const install = async (): Promise<void> => {
    await session.evaluate(installExpression(sessionId, ttlMs));
  };

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (!session.connected) return;
    await session.evaluate(removeExpression(sessionId));
  };

  session.onDetach(stop);
  await install();

  const expression = sampleExpression(sessionId);
  return {
    async sample() {
      if (stopped) throw new Error('sampler stopped');
      const raw = await session.evaluate<RawSample>(expression, { timeoutMs: 30_000 });
      // null: dropped by the target as stale (a long pause): register again
      if (raw.gc === null) await install();
      const gcEvents = (raw.gc ?? []).map(toGcEvent).filter((e): e is GcEvent => e !== undefined);
      return sampleOf(raw, gcEvents);
    },
    stop,
  };
}

/** A Sample from a raw reading and the GC events gathered since the previous one (sorted here by start time). */
export function sampleOf(raw: RawSample, gcEvents: GcEvent[]): Sample {
  return {
    time: raw.t,
    pid: raw.pid,
    uptimeSeconds: raw.u,
    spaces: raw.s.map((s) => ({
      name: s.space_name,
      group: spaceGroup(s.space_name),
      size: s.space_size,
      used: s.space_used_size,
      available: s.space_available_size,
      physical: s.physical_space_size,
    })),
    heap: {
      totalHeapSize: raw.h.total_heap_size,
      usedHeapSize: raw.h.used_heap_size,
      heapSizeLimit: raw.h.heap_size_limit,
      totalAvailableSize: raw.h.total_available_size,
      mallocedMemory: raw.h.malloced_memory,
      externalMemory: raw.h.external_memory ?? raw.m.external,
    },
    memory: {
      rss: raw.m.rss,
      heapTotal: raw.m.heapTotal,
      heapUsed: raw.m.heapUsed,
      external: raw.m.external,
      arrayBuffers: raw.m.arrayBuffers,
    },
    gcEvents: gcEvents.sort((a, b) => a.startTime - b.startTime),
  };
}
