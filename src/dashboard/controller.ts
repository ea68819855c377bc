import { basename, dirname } from 'node:path';
import { formatBytes } from '../format.js';
import type { AllocationSampling } from '../live/allocation-sampling.js';
import { DEFAULT_INTERVAL_BYTES } from '../sample/profile.js';
import { allocationRows } from './allocations.js';
import { DashboardModel } from './model.js';
import type { ProcessStats, StatusState } from './panels.js';
import { formatInterval } from './panels.js';
import { DashboardScreen } from './screen.js';
import type { DashboardSource } from './source.js';

export interface DashboardOptions {
  intervalMs: number;
  windowMs: number;
  dumpDir: string;
  /** Take one dump automatically when heap used crosses this percent of the heap limit. */
  dumpAtPercent?: number;
  /** Reads CPU and RSS of the target (pidusage); undefined when the target is not on this machine. */
  processStats?: (pid: number) => Promise<ProcessStats>;
}

/** Redraws at most this often, however fast samples and keys arrive. */
export const MIN_REDRAW_MS = 250;
const INTERVAL_STEPS_MS = [100, 250, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000];
/** The allocation panel reads the profile this often: each read walks V8's sample tree in the target. */
export const ALLOCATION_REFRESH_MS = 3000;
const ALLOCATION_ROWS = 30;

/**
 * Runs the dashboard until the user quits: a sampling loop, key handling, throttled redraws.
 * Resolves after the target was detached cleanly and the terminal restored.
 */
export async function runDashboard(source: DashboardSource, options: DashboardOptions): Promise<void> {
  const model = new DashboardModel({ windowMs: options.windowMs });
  const ui = new DashboardScreen(`heapwatch ${source.info.pid}`);
  const state: StatusState = {
    info: source.info,
    intervalMs: options.intervalMs,
    windowMs: options.windowMs,
    paused: false,
    process: {},
  };
  let dumping = false;
  let autoDumped = false;
  let quitting = false;
  let tickTimer: NodeJS.Timeout | undefined;
  let lastRender = 0;
  let renderTimer: NodeJS.Timeout | undefined;
  let cpuMark = { usage: process.cpuUsage(), at: performance.now() };

  const render = () => {
    renderTimer = undefined;
    if (quitting) return;
    const now = performance.now();
    if (now - cpuMark.at >= 1000) {
      const used = process.cpuUsage(cpuMark.usage);
      state.selfCpuPercent = ((used.user + used.system) / 1000 / (now - cpuMark.at)) * 100;
      cpuMark = { usage: process.cpuUsage(), at: now };
    }
    lastRender = now;
    ui.draw(model, state);
  };
  const requestRender = () => {
    if (renderTimer || quitting) return;
    renderTimer = setTimeout(render, Math.max(0, lastRender + MIN_REDRAW_MS - performance.now()));
  };
  const say = (message: string | undefined) => {
    state.message = message;
    requestRender();
  };

  const schedule = (delay: number) => {
    clearTimeout(tickTimer);
    if (!quitting && !state.paused && !state.gone) tickTimer = setTimeout(tick, delay);
  };
  let sampling = false;
  async function tick(): Promise<void> {
    // one sample at a time: a tick asked for while one is in flight (g, p) is left to it, which reschedules
    if (sampling) return;
    const started = performance.now();
    // a dump stalls the target's event loop; sampling resumes when it is written
    if (dumping) return schedule(state.intervalMs);
    sampling = true;
    try {
      const [sample, proc] = await Promise.all([
        source.sample(),
        options.processStats?.(source.info.pid).catch(() => ({}) as ProcessStats) ?? Promise.resolve({}),
      ]);
      if (quitting || state.gone) return;
      const point = model.add(sample);
      state.process = proc;
      if (options.dumpAtPercent !== undefined && !autoDumped && point.heapLimit > 0) {
        const pct = (point.heapUsed / point.heapLimit) * 100;
        if (pct >= options.dumpAtPercent) {
          autoDumped = true;
          void takeDump(`heap at ${pct.toFixed(1)}% of the limit, --dump-at ${options.dumpAtPercent}`);
        }
      }
    } catch (err) {
      if (quitting || state.gone) return;
      say(`sample failed: ${(err as Error).message}`);
    } finally {
      sampling = false;
    }
    requestRender();
    schedule(Math.max(0, state.intervalMs - (performance.now() - started)));
  }

  async function takeDump(reason?: string): Promise<void> {
    const what = reason ? `dump (${reason})` : 'dump';
    if (dumping || state.gone) return;
    dumping = true;
    say(`${what}: checking headroom...`);
    try {
      const result = await source.dump(options.dumpDir, (text) => say(`${what}: ${text}`));
      say(
        `${what} written: ${basename(result.file)} (${formatBytes(result.bytes)}, ${(result.ms / 1000).toFixed(1)} s) in ${dirname(result.file)}`,
      );
    } catch (err) {
      say(`${what} failed: ${(err as Error).message}`);
    } finally {
      dumping = false;
    }
  }

  // key s: V8's sampling heap profiler on and off, the panel of live allocation sites while it runs
  let allocSampling: AllocationSampling | undefined;
  let allocTimer: NodeJS.Timeout | undefined;
  let allocBusy = false;
  const readAllocations = async (): Promise<void> => {
    const sampling = allocSampling;
    const panel = state.allocations;
    if (!sampling || !panel || quitting || state.gone) return;
    let readMs = 0;
    if (!dumping) {
      try {
        const started = performance.now();
        const profile = await sampling.profile();
        readMs = performance.now() - started;
        const { totalBytes, rows } = allocationRows(profile, ALLOCATION_ROWS);
        if (allocSampling !== sampling) return; // stopped meanwhile
        Object.assign(panel, { totalBytes, rows, readAt: Date.now(), error: undefined });
      } catch (err) {
        if (allocSampling !== sampling || state.gone) return;
        panel.error = `reading the profile failed: ${(err as Error).message}`;
      }
      requestRender();
    }
    // a read walks V8's sample tree while the target waits (0.7-1.3 s for ~10,000 sites): 20 reads' time apart
    const next = Math.max(ALLOCATION_REFRESH_MS, 20 * readMs);
    if (allocSampling === sampling) allocTimer = setTimeout(() => void readAllocations(), next);
  };
  const stopAllocations = async (): Promise<void> => {
    const sampling = allocSampling;
    allocSampling = undefined;
    clearTimeout(allocTimer);
    state.allocations = undefined;
    if (sampling && !state.gone) await sampling.stop();
  };
  const toggleAllocations = async (): Promise<void> => {
    if (allocBusy || state.gone || quitting) return;
    allocBusy = true;
    try {
      if (allocSampling) {
        const shared = allocSampling.shared;
        await stopAllocations();
        say(
          shared
            ? "allocation panel closed; V8's sampling left running (heapwatch did not start it)"
            : 'allocation sampling stopped',
        );
        return;
      }
      const intervalBytes = DEFAULT_INTERVAL_BYTES;
      say('starting allocation sampling...');
      const sampling = await source.startAllocationSampling(intervalBytes);
      if (quitting || state.gone) {
        await sampling.stop().catch(() => {});
        return;
      }
      allocSampling = sampling;
      state.allocations = { intervalBytes, shared: sampling.shared };
      say(
        sampling.shared
          ? 'V8 was already sampling allocations: showing its profile; s hides it and leaves it running'
          : `allocation sampling on: V8 records about one allocation in ${formatBytes(intervalBytes)} (a few % CPU on allocation-heavy code); s stops it`,
      );
      void readAllocations();
    } catch (err) {
      say(`allocation sampling failed: ${(err as Error).message}`);
    } finally {
      allocBusy = false;
    }
  };

  const changeInterval = (direction: 1 | -1) => {
    const i = INTERVAL_STEPS_MS.findIndex((s) => s >= state.intervalMs);
    const at = i === -1 ? INTERVAL_STEPS_MS.length - 1 : i;
    const next = INTERVAL_STEPS_MS[Math.max(0, Math.min(INTERVAL_STEPS_MS.length - 1, at + direction))];
    state.intervalMs = next;
    say(`interval ${formatInterval(next)}`);
    schedule(next);
  };

  return new Promise<void>((resolve) => {
    // terminalLost: the terminal hung up (SIGHUP, EIO on write); detach without drawing to it
    const quit = async (terminalLost = false) => {
      if (quitting) return;
      quitting = true;
      clearTimeout(tickTimer);
      clearTimeout(renderTimer);
      state.message = 'detaching...';
      if (!terminalLost) ui.draw(model, state);
      try {
        // V8's sampling stops before the detach (which would stop it too): the target is left as it was
        await stopAllocations().catch(() => {});
        await source.detach();
      } finally {
        if (!terminalLost) ui.destroy();
        resolve();
      }
    };
    const screen = ui.screen;
    screen.key(['q', 'C-c', 'escape'], () => void quit());
    screen.key(['d'], () => void takeDump());
    screen.key(['g'], () => {
      if (state.gone || dumping) return;
      say('forcing a full GC...');
      source.forceGc().then(
        () => {
          say('full GC done');
          schedule(0);
        },
        (err: Error) => say(`GC failed: ${err.message}`),
      );
    });
    screen.key(['s'], () => void toggleAllocations());
    screen.key(['p'], () => {
      state.paused = !state.paused;
      say(state.paused ? 'paused: sampling stopped' : 'resumed');
      schedule(0);
    });
    screen.key(['+', '='], () => changeInterval(1));
    screen.key(['-', '_'], () => changeInterval(-1));
    screen.on('resize', () => requestRender());
    process.once('SIGTERM', () => void quit());
    process.once('SIGHUP', () => void quit(true));
    process.stdout.on('error', () => void quit(true));

    source.onGone((reason) => {
      if (quitting) return;
      state.gone = reason;
      clearTimeout(tickTimer);
      clearTimeout(allocTimer);
      requestRender();
    });
    render();
    void tick();
  });
}
