import { basename, join } from 'node:path';
import { formatBytes } from '../format.js';
import { inspectorAllocationSampling } from '../live/allocation-sampling.js';
import { type DumpProgress, defaultDumpName, dumpHeap } from '../live/capture.js';
import type { Headroom } from '../live/headroom.js';
import { readCmdline } from '../live/proc.js';
import { startSampler } from '../live/sampler.js';
import type { Session } from '../live/session.js';
import type { DashboardSource } from './source.js';

/** The dashboard's source over a live/ session: the sampler for ticks, HeapProfiler for GC, capture for dumps. */
export async function sessionSource(session: Session, intervalMs: number): Promise<DashboardSource> {
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
    startAllocationSampling: (intervalBytes) => inspectorAllocationSampling(session, intervalBytes),
    async dump(dir, onStatus) {
      let last = 0;
      const started = Date.now();
      const result = await dumpHeap(session, {
        output: join(dir, defaultDumpName(session.pid)),
        onHeadroom: (h) => onStatus(headroomLine(h)),
        onProgress: (p) => {
          const now = Date.now();
          if (now - last < 200) return; // the screen redraws a few times a second at most anyway
          last = now;
          onStatus(dumpProgressText(p, now - started));
        },
      });
      return { file: result.file, bytes: result.bytes, ms: result.durationMs };
    },
    detach: () => session.detach(),
    onGone(listener) {
      void session.lost.then((err) => listener(err.message));
    },
  };
}

/** The headroom check in one short line: what the dump will cost the target against what it has. */
export function headroomLine(h: Headroom): string {
  const avail = h.available === undefined ? 'available memory unknown' : `${formatBytes(h.available)} available`;
  return `headroom ok: about ${formatBytes(h.estimatedCost)} extra memory and ~${h.estimatedStallSeconds} s stall; ${avail}`;
}

/**
 * The dump's progress on the status line: the bytes the file holds, and while it holds none, that the target is
 * still building the snapshot (V8 walks the whole heap before it writes a byte; its event loop is stalled).
 */
export function dumpProgressText(p: DumpProgress, elapsedMs: number): string {
  if (p.phase === 'snapshot' && p.fraction !== undefined) {
    return `snapshot ${Math.floor(p.fraction * 100)}%, ${formatBytes(p.bytes)} written`;
  }
  if (p.bytes === 0)
    return `the target is building the snapshot (${Math.round(elapsedMs / 1000)} s), nothing written yet`;
  return `writing, ${formatBytes(p.bytes)} so far`;
}
