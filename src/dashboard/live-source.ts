import { basename, join } from 'node:path';
import { formatBytes } from '../format.js';
import { defaultDumpName } from '../live/capture.js';
import type { LiveTarget } from '../live/live-target.js';
import { readCmdline } from '../live/proc.js';
import { headroomLine } from './attach-source.js';
import type { DashboardSource } from './source.js';

/** The dashboard's source over any live target (the guard's socket in practice): samples, full GC, dumps. */
export async function liveSource(live: LiveTarget, intervalMs: number): Promise<DashboardSource> {
  const sampler = await live.startSampler(intervalMs);
  const facts = await live.facts();
  let command = '';
  try {
    const argv = readCmdline(live.pid);
    argv[0] = basename(argv[0] ?? '');
    command = argv.join(' ');
  } catch {}
  return {
    info: { pid: live.pid, command, nodeVersion: facts.version, startedAt: Date.now() - facts.uptime * 1000 },
    sample: () => sampler.sample(),
    forceGc: () => live.collectGarbage(),
    startAllocationSampling: (intervalBytes) => live.startAllocationSampling(intervalBytes),
    async dump(dir, onStatus) {
      let last = 0;
      const result = await live.dump({
        output: join(dir, defaultDumpName(live.pid)),
        onHeadroom: (h) => onStatus(headroomLine(h)),
        onProgress: (p) => {
          const now = Date.now();
          if (now - last < 200) return;
          last = now;
          onStatus(`writing, ${formatBytes(p.bytes)} so far`);
        },
      });
      return { file: result.file, bytes: result.bytes, ms: result.durationMs };
    },
    detach: () => live.detach(),
    onGone(listener) {
      void live.lost.then((err) => listener(err.message));
    },
  };
}
