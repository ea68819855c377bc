import type { Command } from 'commander';
import type { HeapAnalysis } from '../../analysis/types.js';
import { usageError } from '../../errors.js';
import { createProgress } from '../progress.js';

/** Reads (see cli/load-snapshot) and analyzes a snapshot for a command, with progress on a terminal. */
export async function loadAnalysis(
  file: string,
  opts: { rootPaths?: boolean; redact?: boolean; index?: IndexFlags } = {},
): Promise<HeapAnalysis> {
  // the saved analysis of this very file when the cache has one (never for --redact: it changes the strings)
  const useIndex = opts.index?.index === true && !opts.redact;
  const indexOpts = { dir: opts.index?.indexDir, warn: (m: string) => process.stderr.write(`heapwatch: ${m}\n`) };
  if (useIndex) {
    const restored = (await import('../../index/store.js')).openIndexed(file, indexOpts);
    if (restored) return restored;
  }
  const analysis = await analyzeFile(file, opts);
  if (useIndex) await (await import('../../index/store.js')).saveIndexed(file, analysis, indexOpts);
  return analysis;
}

/** --no-index and --index-dir, as commander hands them over. */
export interface IndexFlags {
  index: boolean;
  indexDir?: string;
}

/** Adds --no-index and --index-dir to a command that analyses a snapshot file. */
export function withIndexOptions(command: Command): Command {
  return command
    .option('--no-index', 'neither use nor write the saved analysis in the cache folder')
    .option('--index-dir <dir>', 'cache folder of saved analyses (default $HEAPWATCH_CACHE, else ~/.cache/heapwatch)');
}

async function analyzeFile(file: string, opts: { rootPaths?: boolean; redact?: boolean }): Promise<HeapAnalysis> {
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
