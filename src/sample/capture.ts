import { HeapwatchError, runtimeError } from '../errors.js';
import {
  detachLiveOnSignals,
  inspectorTarget,
  type LiveTarget,
  type OpenLiveOptions,
  openLive,
} from '../live/live-target.js';
import type { Session } from '../live/session.js';
import type { HeapProfile } from './profile.js';
import type { TimedProfile } from './report.js';

export interface CaptureOptions {
  /** How long to sample (single-profile mode). */
  durationMs: number;
  intervalBytes: number;
  includeCollected: boolean;
  /** Growth mode: a profile every `everyMs`, `count` of them, without restarting sampling. */
  everyMs?: number;
  count?: number;
  /** Ends sampling early (Ctrl-C); what was sampled is still read and reported. */
  stop?: AbortSignal;
  /** Called once V8 is sampling, with the way the target is reached. */
  onStarted?: (pid: number, via: 'socket' | 'inspector') => void;
}

export interface CaptureResult {
  pid: number;
  /** How the target was reached: the guard's socket or the inspector. */
  via: 'socket' | 'inspector';
  /** The profile to report (the last one read). */
  profile: HeapProfile;
  /** Growth mode: every profile read, in order; else just the last. */
  series: TimedProfile[];
  durationMs: number;
  targetExited: boolean;
  interrupted: boolean;
  /** Lines for the user (the guard's socket could not carry a later profile). */
  notices: string[];
}

/**
 * Between the steps of single-profile mode, the profile read so far is kept, so a target that exits during
 * sampling still leaves a report. Each read walks V8's whole sample tree in the target (well under 100 ms for
 * 10,000 sites), so not too often.
 */
const CHECKPOINT_MS = 2000;
const CHECKPOINT_READS = 20;
/** How often a wait checks that the target is still running (one Runtime.evaluate of `true`). */
const PROBE_MS = 500;

/** The guard's answer when a profile is bigger than its socket carries (MAX_PROFILE_NODES / MAX_PROFILE_SAMPLES). */
const SOCKET_CAP = /the profile has (over \d+ [a-z -]+), too many for the socket/;

function capNotice(pid: number, over: string, had: boolean): string {
  const what = over.replace(/\d+/, (n) => Number(n).toLocaleString('en-US'));
  return (
    `process ${pid}'s profile grew past what the guard's socket carries (it has ${what}): ` +
    `${had ? 'this report is the last profile read before that; ' : ''}for more, sample again with --inspector ` +
    '(opens its inspector) or a larger --interval-bytes'
  );
}

/**
 * Samples a live target, over the guard's socket or the inspector: starts V8's sampling heap profiler, waits
 * (checkpointing), reads the profile, stops sampling. Detaching also stops sampling (the guard stops a client's
 * sampling when its connection ends), so the target is never left sampling whatever happens.
 */
export async function captureProfile(target: LiveTarget | Session, opts: CaptureOptions): Promise<CaptureResult> {
  const live = 'via' in target ? target : inspectorTarget(target);
  const session = live.session;
  const sampling = await live.startAllocationSampling(opts.intervalBytes, {
    includeCollected: opts.includeCollected,
    samples: true,
  });
  // V8 has one sampling profiler per process: a second startSampling is silently ignored and a stopSampling
  // stops everyone's. So if someone (another heapwatch, the guard, DevTools) is sampling, leave it alone.
  if (sampling.shared) {
    await sampling.stop().catch(() => {}); // leaves the running profiler alone; only forgets it
    throw runtimeError(
      `process ${live.pid} is already running V8's sampling heap profiler (another heapwatch sample, the ` +
        'guard, or DevTools): heapwatch leaves it alone; try again when it has stopped',
      'ALREADY_SAMPLING',
    );
  }
  const start = Date.now();
  opts.onStarted?.(live.pid, live.via);
  let capped: string | undefined; // what the guard's socket could not carry
  const read = async (): Promise<HeapProfile | undefined> => {
    try {
      return await sampling.profile();
    } catch (err) {
      const cap = err instanceof HeapwatchError ? SOCKET_CAP.exec(err.message) : null;
      if (!cap) throw err;
      capped = cap[1];
      return undefined;
    }
  };
  let stopped = false;
  const stopSampling = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await sampling.stop();
  };

  const growth = opts.everyMs !== undefined;
  const series: TimedProfile[] = [];
  let last: HeapProfile | undefined;
  let lastAt = start; // when `last` was read
  let targetExited = false;
  let interrupted = false;
  let exitError: HeapwatchError | undefined;
  const lost = live.lost.then((e) => {
    exitError = e;
    return 'lost' as const;
  });
  const stopAsked = new Promise<'stop'>((resolve) => {
    if (opts.stop?.aborted) resolve('stop');
    opts.stop?.addEventListener('abort', () => resolve('stop'), { once: true });
  });
  // Waits until `until`, checking every PROBE_MS that the target still runs JavaScript: a Node that ends while a
  // debugger is attached waits for it to disconnect, its inspector still answering but its context gone. (The
  // guard's socket closes when its process ends: `lost` says so.)
  const wait = async (until: number): Promise<'time' | 'lost' | 'stop'> => {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const time = new Promise<'time'>((resolve) => {
        timer = setTimeout(() => resolve('time'), Math.max(0, Math.min(until, Date.now() + PROBE_MS) - Date.now()));
      });
      try {
        const why = await Promise.race([time, lost, stopAsked]);
        if (why !== 'time') return why;
      } finally {
        clearTimeout(timer);
      }
      if (session && !(await attempt(() => session.evaluate<boolean>('true', { timeoutMs: 10_000 })))) return 'lost';
      if (Date.now() >= until) return 'time';
    }
  };
  // a read can fail because the target went away meanwhile: that is an exit, not an error
  const attempt = async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof HeapwatchError && err.code === 'TARGET_EXITED') {
        exitError = err;
        return undefined;
      }
      throw err;
    }
  };

  const ended = (why: 'time' | 'lost' | 'stop'): boolean => {
    if (why === 'stop') interrupted = true;
    return why !== 'time';
  };
  if (growth) {
    const everyMs = opts.everyMs as number;
    for (let i = 1; i <= (opts.count as number); i++) {
      if (ended(await wait(start + i * everyMs))) break;
      const p = await attempt(read);
      if (!p) break;
      last = p;
      lastAt = Date.now();
      series.push({ profile: p, atMs: Date.now() - start });
    }
  } else {
    // checkpoints: at least CHECKPOINT_MS apart, and 20 reads' time apart, so they stall the target 5% at most
    const endAt = start + opts.durationMs;
    let next = start + CHECKPOINT_MS;
    for (;;) {
      if (ended(await wait(Math.min(next, endAt))) || Date.now() >= endAt) break;
      const t0 = Date.now();
      const p = await attempt(read);
      if (!p) break;
      last = p;
      lastAt = Date.now();
      next = Date.now() + Math.max(CHECKPOINT_MS, CHECKPOINT_READS * (Date.now() - t0));
    }
  }
  // the last read, then sampling stopped (a read the socket's node cap refused is not tried again)
  const finish = async (): Promise<HeapProfile | undefined> => {
    const p = capped ? undefined : await read();
    await stopSampling();
    return p;
  };
  if (exitError) {
    // a Node waiting for the debugger to disconnect at exit still hands over its profile: what it had at the end
    targetExited = true;
    const p = await attempt(finish);
    if (p) {
      last = p;
      if (growth) series.push({ profile: p, atMs: Date.now() - start });
    }
  } else if ((!growth || interrupted) && !capped) {
    // the final profile: single mode's answer, or growth mode's last step when Ctrl-C came early
    const p = await attempt(finish);
    if (p) {
      last = p;
      if (growth) series.push({ profile: p, atMs: Date.now() - start });
    } else if (!capped) targetExited = true;
  }
  if (!exitError) await attempt(stopSampling); // growth mode's end, or the cap: nothing more to read
  // a profile the socket could not carry: the report covers the time until the last one it did
  const durationMs = (capped ? lastAt : Date.now()) - start;
  if (!last) {
    if (capped) throw runtimeError(capNotice(live.pid, capped, false), 'PROFILE_TOO_BIG');
    throw runtimeError(
      `${(exitError?.message ?? `process ${live.pid} exited`).replace(/ while heapwatch was attached$/, '')} before heapwatch could read a profile`,
      'TARGET_EXITED',
    );
  }
  const notices = capped ? [capNotice(live.pid, capped, true)] : [];
  return { pid: live.pid, via: live.via, profile: last, series, durationMs, targetExited, interrupted, notices };
}

/**
 * open (the guard's socket first, else the inspector) → capture → detach, with Ctrl-C ending sampling early (the
 * report still comes) and a second Ctrl-C, SIGTERM or SIGHUP detaching and exiting at once.
 */
export async function sampleTarget(
  target: string,
  openOptions: OpenLiveOptions,
  opts: Omit<CaptureOptions, 'stop'>,
): Promise<CaptureResult> {
  const live = await openLive(target, openOptions);
  const early = new AbortController();
  const removeSignals = detachLiveOnSignals(live, undefined, ['SIGTERM', 'SIGHUP']);
  // the first Ctrl-C ends sampling early; a second one detaches and exits at once
  let removeHard: (() => void) | undefined;
  const onInt = (): void => {
    process.off('SIGINT', onInt);
    removeHard = detachLiveOnSignals(live, undefined, ['SIGINT']);
    early.abort();
  };
  process.on('SIGINT', onInt);
  try {
    return await captureProfile(live, { ...opts, stop: early.signal });
  } finally {
    process.off('SIGINT', onInt);
    removeHard?.();
    removeSignals();
    await live.detach();
  }
}
