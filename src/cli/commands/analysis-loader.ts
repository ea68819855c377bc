import type { HeapAnalysis } from '../../analysis/types.js';
import { usageError } from '../../errors.js';
import { createProgress } from '../progress.js';

/** Reads (see cli/load-snapshot) and analyzes a snapshot for a command, with progress on a terminal. */
export async function loadAnalysis(
  file: string,
  opts: { rootPaths?: boolean; redact?: boolean } = {},
): Promise<HeapAnalysis> {
  const { loadSnapshot } = await import('../load-snapshot.js');
  const { analyzeSnapshotParallel, ANALYSIS_PHASES: PHASES } = await import('../../analysis/index.js');
  const snapshot = await loadSnapshot(file);
  // --redact: string values replaced before anything reads a name, as in a file `heapwatch redact` wrote
  if (opts.redact) (await import('../../redact/snapshot-uses.js')).redactSnapshotStrings(snapshot);
  const progress = createProgress('analyzing');
  try {
    return await analyzeSnapshotParallel(snapshot, {
      onPhase: (phase) => progress.update(Math.max(0, PHASES.indexOf(phase)) / PHASES.length, phase),
      rootPaths: opts.rootPaths,
    });
  } finally {
    progress.done();
  }
}

/** A positive whole number option, or a usage error naming the option. */
export function positiveInt(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    throw usageError(`${option} must be a positive whole number, not "${value}"`);
  }
  return n;
}
