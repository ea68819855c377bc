// The live half of a sender run: attach to the child over its inspector (SIGUSR1 opens it on the ephemeral
// port --inspect-port=0 configured) and print a gc row every interval until the child finishes or dies.
import { HeapwatchError } from '../../errors.js';
import type { Session } from '../../live/session.js';
import { demoGcHeader, demoGcRow, type MemberCounts } from './gc-lines.js';

/** What the run tells the watcher: the sender's counts, and whether it has finished (summary) or exited. */
export interface ChildState {
  readonly pid: number;
  readonly counts: MemberCounts;
  finished: boolean;
  exited: boolean;
  /** Resolves when the child has printed its summary or exited. */
  readonly settled: Promise<void>;
}

export interface LiveStats {
  rows: number;
  /** Highest old-generation used seen, bytes. */
  peakOldUsed: number;
  /** Old used after the last major GC seen (what stays alive), bytes; null before any. */
  lastLive: number | null;
  heapSizeLimit: number;
  /** Why there were no live rows (attach failed), if so. */
  error: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

function isGone(state: ChildState): boolean {
  return state.finished || state.exited;
}

/** Attaches once the child handles SIGUSR1 (it installs the handler while starting up). */
async function attachWhenReady(state: ChildState, timeoutMs: number): Promise<Session | null> {
  const { attach } = await import('../../live/session.js');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (isGone(state)) return null;
    try {
      const session = await attach(String(state.pid), { timeoutMs });
      if (isGone(state)) {
        await dropConnection(session);
        return null;
      }
      return session;
    } catch (err) {
      const early = err instanceof HeapwatchError && (err.code === 'NO_SIGUSR1' || err.code === 'NOT_NODE');
      if (!early || Date.now() > deadline) throw err;
      await sleep(50);
    }
  }
}

/**
 * A finished sender waits for attached debuggers before it exits ("Waiting for the debugger to disconnect"):
 * drop the connection without the usual cleanup evaluations, which it would no longer answer in time.
 */
async function dropConnection(session: Session): Promise<void> {
  try {
    await session.client.close();
  } catch {}
}

export async function printLiveRows(
  state: ChildState,
  options: { intervalMs: number; print: (line: string) => void },
): Promise<LiveStats> {
  const stats: LiveStats = { rows: 0, peakOldUsed: 0, lastLive: null, heapSizeLimit: 0, error: null };
  let session: Session | null;
  try {
    session = await attachWhenReady(state, 10_000);
  } catch (err) {
    if (!isGone(state)) stats.error = (err as Error).message;
    return stats;
  }
  if (!session) return stats;
  const { startSampler } = await import('../../live/sampler.js');
  const { GcCounters } = await import('../../live/gc-table.js');
  const lost = session.lost.then((err) => Promise.reject(err));
  lost.catch(() => {});
  const stopped = state.settled.then(() => Promise.reject(new Error('settled')));
  stopped.catch(() => {});
  try {
    const sampler = await Promise.race([startSampler(session, { intervalMs: options.intervalMs }), lost, stopped]);
    const start = Date.now();
    const counters = new GcCounters(start);
    const takeRow = async (extra: Promise<never>[]) => {
      const sample = await Promise.race([sampler.sample(), lost, ...extra]);
      const row = counters.add(sample);
      stats.rows++;
      stats.peakOldUsed = Math.max(stats.peakOldUsed, row.oldUsed);
      stats.lastLive = row.oldUsedAfterMajor ?? stats.lastLive;
      stats.heapSizeLimit = row.heapSizeLimit;
      if (stats.rows === 1) options.print(demoGcHeader());
      options.print(demoGcRow(row, state.counts));
    };
    for (let i = 0; !isGone(state); i++) {
      if (i > 0) {
        // a row per interval; ticks missed while the target was paused (e.g. writing a snapshot) are skipped
        i = Math.max(i, Math.ceil((Date.now() - start) / options.intervalMs));
        await Promise.race([sleep(start + i * options.intervalMs - Date.now()), state.settled]);
      }
      if (isGone(state)) break;
      try {
        await takeRow([stopped]);
      } catch (err) {
        if (isGone(state)) break; // finished or died during the sample
        throw err;
      }
    }
    // the campaign is complete: one last row if the sender still answers
    if (state.finished && !state.exited) {
      const late = sleep(1000).then(() => Promise.reject(new Error('late')));
      late.catch(() => {});
      await takeRow([late]).catch(() => {});
    }
  } catch (err) {
    if (!isGone(state) && !(err instanceof HeapwatchError && err.code === 'TARGET_EXITED')) {
      stats.error = (err as Error).message;
    }
  } finally {
    if (state.finished && !state.exited && session.connected) await dropConnection(session);
    await session.detach();
  }
  return stats;
}
