// V8's heap_size_limit is the old generation's limit plus a reserve for the young generation, and that reserve
// grew: 48 MB on Node 20 and 22 (V8 11-12), 192 MB on Node 24 (V8 13), measured with --max-old-space-size=64
// and 512 here. A heap dies when its old generation is full, so a 64 MB heap on Node 24 (limit 256 MB) never
// reaches half its heap_size_limit: marks computed from it never fire. This gives the limit as Node 20 counts it.
import { getHeapStatistics } from 'node:v8';
import { splitNodeOptions } from './config.cjs';

const MB = 1024 * 1024;
/** The young-generation reserve rescuerThreshold's margins were set for (Node 20). */
const NODE20_YOUNG_RESERVE = 48 * MB;

/** --max-old-space-size (or --max_old_space_size) in MB from the command line or NODE_OPTIONS, or null. */
export function maxOldSpaceMb(execArgv: readonly string[], nodeOptions: string | undefined): number | null {
  const args = [...splitNodeOptions(nodeOptions ?? ''), ...execArgv];
  let mb: number | null = null;
  for (let i = 0; i < args.length; i++) {
    const m = /^--max[-_]old[-_]space[-_]size(?:=(.*))?$/.exec(args[i]);
    if (!m) continue;
    const value = Number(m[1] ?? args[++i]);
    if (Number.isFinite(value) && value > 0) mb = value;
  }
  return mb;
}

/** heap_size_limit with the young-generation reserve of Node 20, whatever this Node's reserve is. */
export function comparableHeapLimit(): number {
  const limit = getHeapStatistics().heap_size_limit;
  const oldMb = maxOldSpaceMb(process.execArgv, process.env.NODE_OPTIONS);
  if (oldMb === null) return limit; // a default heap is large: the reserve hardly moves a mark at half of it
  const reserve = limit - oldMb * MB;
  return reserve > NODE20_YOUNG_RESERVE ? limit - (reserve - NODE20_YOUNG_RESERVE) : limit;
}
