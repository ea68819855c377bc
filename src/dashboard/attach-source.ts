import { basename } from 'node:path';
import { readCmdline } from '../live/proc.js';
import { startSampler } from '../live/sampler.js';
import type { Session } from '../live/session.js';
import type { DashboardSource, DumpResult } from './source.js';

/** Dumps through the live layer's capture code; supplied by the caller so this file stays protocol-free. */
export type DumpFunction = (dir: string, onProgress: (fraction: number) => void) => Promise<DumpResult>;

/** The dashboard's source over a live/ session: the sampler for ticks, HeapProfiler for GC, capture for dumps. */
export async function sessionSource(
  session: Session,
  intervalMs: number,
  dump: DumpFunction,
): Promise<DashboardSource> {
  const sampler = await startSampler(session, { intervalMs });
  const facts = await session.evaluate<{ version: string; uptime: number }>(
    '({ version: process.version, uptime: process.uptime() })',
  );
  let command = '';
  try {
    const argv = readCmdline(session.pid);
    argv[0] = basename(argv[0] ?? '');
    command = argv.join(' ');
  } catch {}
  if (!command) command = await session.evaluate<string>('process.argv.join(" ")').catch(() => '');
  return {
    info: { pid: session.pid, command, nodeVersion: facts.version, startedAt: Date.now() - facts.uptime * 1000 },
    sample: () => sampler.sample(),
    forceGc: async () => {
      await session.send('HeapProfiler.collectGarbage', {}, { timeoutMs: 120_000 });
    },
    dump,
    detach: () => session.detach(),
    onGone(listener) {
      void session.lost.then((err) => listener(err.message));
    },
  };
}
