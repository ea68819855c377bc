// GC events for the guard's socket clients: one PerformanceObserver('gc'), observing only while at least one
// client subscribes (nothing at all while idle), each subscriber with its own bounded queue.
import { type PerformanceEntry, PerformanceObserver, performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { MAX_PENDING_GC_EVENTS, type WireGcEvent } from './socket-protocol.cjs';

export interface GcSubscriber {
  events: WireGcEvent[];
  dropped: number;
}

const subscribers = new Set<GcSubscriber>();
let observer: PerformanceObserver | null = null;

function convert(entries: PerformanceEntry[]): WireGcEvent[] {
  const origin = performance.timeOrigin;
  let spaces: [string, number][] | undefined;
  return entries.map((e) => {
    const d = ((e as { detail?: { kind?: number; flags?: number } }).detail ?? e) as { kind?: number; flags?: number };
    const event: WireGcEvent = [d.kind ?? 0, origin + e.startTime, e.duration, (d.flags ?? 0) | 0];
    // after a mark-compact: the old generation as it stands now, read once per batch
    if (d.kind === 4) {
      spaces ??= getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size] as [string, number]);
      event.push(spaces);
    }
    return event;
  });
}

function deliver(entries: PerformanceEntry[]): void {
  if (entries.length === 0) return;
  const events = convert(entries);
  for (const s of subscribers) {
    for (const e of events) s.events.push(e);
    const over = s.events.length - MAX_PENDING_GC_EVENTS;
    if (over > 0) {
      s.events.splice(0, over);
      s.dropped += over;
    }
  }
}

export function subscribeGc(): GcSubscriber {
  const s: GcSubscriber = { events: [], dropped: 0 };
  subscribers.add(s);
  if (!observer) {
    observer = new PerformanceObserver((list) => {
      try {
        deliver(list.getEntries());
      } catch {
        // never let an observer callback throw into the app
      }
    });
    observer.observe({ entryTypes: ['gc'] });
  }
  return s;
}

export function unsubscribeGc(s: GcSubscriber): void {
  subscribers.delete(s);
  if (subscribers.size === 0 && observer) {
    observer.disconnect();
    observer = null;
  }
}

/** Takes the events a subscriber has not seen yet (flushing the observer's buffer first, so none is late). */
export function takeGcEvents(s: GcSubscriber): { events: WireGcEvent[]; dropped: number } {
  if (observer) deliver(observer.takeRecords());
  const taken = { events: s.events, dropped: s.dropped };
  s.events = [];
  s.dropped = 0;
  return taken;
}
