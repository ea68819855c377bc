import { resolve } from 'node:path';
import pidusage from 'pidusage';
import { attach } from '../live/session.js';
import { sessionSource } from './attach-source.js';
import { runDashboard } from './controller.js';
import type { ProcessStats } from './panels.js';

export interface AttachOptions {
  intervalMs: number;
  windowMs: number;
  dumpDir: string;
  dumpAtPercent?: number;
}

async function processStats(pid: number): Promise<ProcessStats> {
  const u = await pidusage(pid);
  return { cpuPercent: u.cpu, rss: u.memory };
}

/** Attaches, runs the dashboard until q, and detaches; the terminal is restored before this returns. */
export async function runAttach(target: string, options: AttachOptions): Promise<void> {
  const session = await attach(target);
  try {
    const dumpDir = resolve(options.dumpDir);
    const source = await sessionSource(session, options.intervalMs);
    // pidusage reads /proc: only when the target is a process on this machine
    const local = session.location.pid !== undefined;
    await runDashboard(source, { ...options, dumpDir, processStats: local ? processStats : undefined });
  } finally {
    await session.detach();
    pidusage.clear();
  }
}
