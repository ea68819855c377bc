import { HeapwatchError, runtimeError } from '../errors.js';
import { type AttachOptions, attach, type Session } from '../live/session.js';
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
  /** Called once V8 is sampling. */
  onStarted?: (pid: number) => void;
}

export interface CaptureResult {
  pid: number;
  /** The profile to report (the last one read). */
  profile: HeapProfile;
  /** Growth mode: every profile read, in order; else just the last. */
  series: TimedProfile[];
  durationMs: number;
  targetExited: boolean;
  interrupted: boolean;
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

/**
 * Samples a live target: HeapProfiler.startSampling, waits (checkpointing), reads the profile, stops sampling.
 * The session's detach also stops sampling, so the target is never left sampling whatever happens.
 */
export async function captureProfile(session: Session, opts: CaptureOptions): Promise<CaptureResult> {
  let sampling = false;
  const stopSampling = async (): Promise<HeapProfile | undefined> => {
    if (!sampling || !session.connected) return undefined;
    sampling = false;
    const r = await session.send<{ profile: HeapProfile }>('HeapProfiler.stopSampling', undefined, {
      timeoutMs: 60_000,
    });
    return r.profile;
  };
  // V8 has one sampling profiler per process: a second startSampling is silently ignored and a stopSampling
  // stops everyone's. So if someone (another heapwatch, the guard, DevTools) is sampling, leave it alone.
  const running = await session.send('HeapProfiler.getSamplingProfile', undefined, { timeoutMs: 60_000 }).then(
    () => true,
    (err) => {
      if (err instanceof HeapwatchError && /not started/i.test(err.message)) return false;
      throw err;
    },
  );
  if (running) {
    throw runtimeError(
      `process ${session.pid} is already running V8's sampling heap profiler (another heapwatch sample, the ` +
        'guard, or DevTools): heapwatch leaves it alone; try again when it has stopped',
      'ALREADY_SAMPLING',
    );
  }
  session.onDetach(async () => {
    await stopSampling();
  });
  await session.send('HeapProfiler.startSampling', {
    samplingInterval: opts.intervalBytes,
    includeObjectsCollectedByMajorGC: opts.includeCollected,
    includeObjectsCollectedByMinorGC: opts.includeCollected,
  });
  sampling = true;
  const start = Date.now();
  opts.onStarted?.(session.pid);
  const read = async (): Promise<HeapProfile> =>
    (await session.send<{ profile: HeapProfile }>('HeapProfiler.getSamplingProfile', undefined, { timeoutMs: 60_000 }))
      .profile;

  const growth = opts.everyMs !== undefined;
  const series: TimedProfile[] = [];
  let last: HeapProfile | undefined;
  let targetExited = false;
  let interrupted = false;
  let exitError: HeapwatchError | undefined;
  const lost = session.lost.then((e) => {
    exitError = e;
    return 'lost' as const;
  });
  const stopped = new Promise<'stop'>((resolve) => {
    if (opts.stop?.aborted) resolve('stop');
    opts.stop?.addEventListener('abort', () => resolve('stop'), { once: true });
  });
  // Waits until `until`, checking every PROBE_MS that the target still runs JavaScript: a Node that ends while a
  // debugger is attached waits for it to disconnect, its inspector still answering but its context gone.
  const wait = async (until: number): Promise<'time' | 'lost' | 'stop'> => {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const time = new Promise<'time'>((resolve) => {
        timer = setTimeout(() => resolve('time'), Math.max(0, Math.min(until, Date.now() + PROBE_MS) - Date.now()));
      });
      try {
        const why = await Promise.race([time, lost, stopped]);
        if (why !== 'time') return why;
      } finally {
        clearTimeout(timer);
      }
      if (!(await attempt(() => session.evaluate<boolean>('true', { timeoutMs: 10_000 })))) return 'lost';
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
      next = Date.now() + Math.max(CHECKPOINT_MS, CHECKPOINT_READS * (Date.now() - t0));
    }
  }
  if (exitError) {
    // a Node waiting for the debugger to disconnect at exit still hands over its profile: what it had at the end
    targetExited = true;
    const p = await attempt(stopSampling);
    if (p) {
      last = p;
      if (growth) series.push({ profile: p, atMs: Date.now() - start });
    }
  } else if (!growth || interrupted) {
    // the final profile: single mode's answer, or growth mode's last step when Ctrl-C came early
    const p = await attempt(stopSampling);
    if (p) {
      last = p;
      if (growth) series.push({ profile: p, atMs: Date.now() - start });
    } else targetExited = true;
  }
  const durationMs = Date.now() - start;
  if (!last) {
    throw runtimeError(
      `${(exitError?.message ?? `process ${session.pid} exited`).replace(/ while heapwatch was attached$/, '')} before heapwatch could read a profile`,
      'TARGET_EXITED',
    );
  }
  return { pid: session.pid, profile: last, series, durationMs, targetExited, interrupted };
}

/**
 * attach → capture → detach, with Ctrl-C ending sampling early (the report still comes) and a second Ctrl-C,
 * SIGTERM or SIGHUP detaching and exiting at once.
 */
export async function sampleTarget(
  target: string,
  attachOptions: AttachOptions,
  opts: Omit<CaptureOptions, 'stop'>,
): Promise<CaptureResult> {
  const session = await attach(target, attachOptions);
  const early = new AbortController();
  const hard = (signal: NodeJS.Signals): void => {
    session.detach().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  const onInt = (): void => {
    if (early.signal.aborted) hard('SIGINT');
    else early.abort();
  };
  process.on('SIGINT', onInt);
  process.once('SIGTERM', hard);
  process.once('SIGHUP', hard);
  try {
    return await captureProfile(session, { ...opts, stop: early.signal });
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', hard);
    process.off('SIGHUP', hard);
    await session.detach();
  }
}
