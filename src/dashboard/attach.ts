import { resolve } from 'node:path';
import pidusage from 'pidusage';
import { openLive } from '../live/live-target.js';
import { sessionSource } from './attach-source.js';
import { runDashboard } from './controller.js';
import { liveSource } from './live-source.js';
import type { ProcessStats } from './panels.js';

export interface AttachOptions {
  intervalMs: number;
  windowMs: number;
  dumpDir: string;
  dumpAtPercent?: number;
  /** Use the inspector even when the target runs the guard's socket. */
  inspector?: boolean;
  notice?: (line: string) => void;
}

async function processStats(pid: number): Promise<ProcessStats> {
  const u = await pidusage(pid);
  return { cpuPercent: u.cpu, rss: u.memory };
}

/** Attaches, runs the dashboard until q, and detaches; the terminal is restored before this returns. */
export async function runAttach(target: string, options: AttachOptions): Promise<void> {
  // the dashboard owns the terminal: what heapwatch did to the target is said once the screen is gone
  const held: string[] = [];
  const live = await openLive(target, { inspector: options.inspector, notice: (line) => held.push(line) });
  try {
    const dumpDir = resolve(options.dumpDir);
    const source = live.session
      ? await sessionSource(live.session, options.intervalMs)
      : await liveSource(live, options.intervalMs);
    // pidusage reads /proc: only when the target is a process on this machine
    const local = live.local;
    await runDashboard(source, { ...options, dumpDir, processStats: local ? processStats : undefined });
  } finally {
    await live.detach();
    pidusage.clear();
    for (const line of held) options.notice?.(`${line}; detached now`);
  }
}
