import { analyzeSnapshotParallel, ANALYSIS_PHASES as PHASES } from './analysis/index.js';
import type { HeapAnalysis } from './analysis/types.js';
import { readSnapshot } from './snapshot/reader.js';

export interface AnalyzeFileOptions {
  /** Overall progress (0…1) with the current step's name. */
  onProgress?: (fraction: number, step: string) => void;
  /** Have a second thread find the holder paths and count string copies meanwhile (see analyzeSnapshotParallel). */
  rootPaths?: boolean;
}

// rough share of the whole job each step takes, for one progress bar
const PARSE_SHARE = 0.7;

/** Reads a .heapsnapshot file and runs the whole engine on it (the I/O lives in snapshot/reader). */
export async function analyzeFile(file: string, opts: AnalyzeFileOptions = {}): Promise<HeapAnalysis> {
  const report = opts.onProgress;
  const snapshot = await readSnapshot(file, { onProgress: report && ((f) => report(f * PARSE_SHARE, 'parsing')) });
  return analyzeSnapshotParallel(snapshot, {
    rootPaths: opts.rootPaths,
    onPhase:
      report &&
      ((phase) => {
        const i = Math.max(0, PHASES.indexOf(phase));
        report(PARSE_SHARE + ((1 - PARSE_SHARE) * i) / PHASES.length, phase);
      }),
  });
}
