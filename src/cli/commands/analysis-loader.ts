import type { Command } from 'commander';
import type { AnalyzeOptions } from '../../analysis/index.js';
import type { HeapAnalysis } from '../../analysis/types.js';
import { usageError } from '../../errors.js';
import type { IndexOptions } from '../../index/store.js';
import type { NodeQueries } from '../../report/nodes-report.js';
import { createProgress } from '../progress.js';

/** Reads (see cli/load-snapshot) and analyzes a snapshot for a command, with progress on a terminal. */
export async function loadAnalysis(
  file: string,
  opts: FileOptions & { index?: IndexFlags } = {},
): Promise<HeapAnalysis> {
  // the saved analysis of this very file when the cache has one (never for --redact: it changes the strings)
  const useIndex = opts.index?.index === true && !opts.redact;
  if (!useIndex) return analyzeFile(file, opts);
  const { loadIndexed } = await import('../../index/load-indexed.js');
  const loaded = await loadIndexed(file, indexOptions(opts.index as IndexFlags), () => analyzeFile(file, opts));
  return loaded.analysis;
}

/**
 * `answer` from the saved analysis read only where it looks (`node`: a few blocks per object), else from a fresh
 * analysis (saved for next time); a damaged index is said in one line and the answer made afresh.
 */
export async function answerFromAnalysis<T>(
  file: string,
  flags: IndexFlags,
  answer: (a: HeapAnalysis, q?: NodeQueries) => T,
): Promise<T> {
  const { answerIndexed } = await import('../../index/load-indexed.js');
  const index = flags.index ? indexOptions(flags) : null;
  return answerIndexed(file, index, () => analyzeFile(file, {}), answer);
}

/** --no-index and --index-dir, as commander hands them over. */
export interface IndexFlags {
  index: boolean;
  indexDir?: string;
}

/** The cache folder's options from the flags, its warnings (an index ignored or not written) on stderr. */
export function indexOptions(flags: IndexFlags): IndexOptions {
  return { dir: flags.indexDir, warn: (m: string) => process.stderr.write(`heapwatch: ${m}\n`) };
}

/** Adds --no-index and --index-dir to a command that analyses a snapshot file. */
export function withIndexOptions(command: Command): Command {
  return command
    .option('--no-index', 'neither use nor write the saved analysis in the cache folder')
    .option('--index-dir <dir>', 'cache folder of saved analyses (default $HEAPWATCH_CACHE, else ~/.cache/heapwatch)');
}

/** How a file is analysed: the engine's options analyze uses, and --redact. */
type FileOptions = Pick<AnalyzeOptions, 'rootPaths' | 'treeWalk' | 'whileWaiting' | 'contextScan'> & {
  redact?: boolean;
};

async function analyzeFile(file: string, opts: FileOptions): Promise<HeapAnalysis> {
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
      treeWalk: opts.treeWalk,
      whileWaiting: opts.whileWaiting,
      contextScan: opts.contextScan,
    });
  } finally {
    progress.done();
  }
}

/** A command over one snapshot file: `<name> <file>` with --no-index and --index-dir. */
export function snapshotCommand(program: Command, name: string): Command {
  return withIndexOptions(program.command(name)).argument('<file>', 'a .heapsnapshot file');
}

/** A node id as DevTools shows it (`@123` or `123`), or a usage error. */
export function parseNodeId(text: string): number {
  const id = Number(text.replace(/^@/, ''));
  if (!Number.isInteger(id) || id < 0 || text.trim() === '') throw usageError(`not a node id: "${text}"`);
  return id;
}

/** A positive whole number option, or a usage error naming the option. */
export function positiveInt(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    throw usageError(`${option} must be a positive whole number, not "${value}"`);
  }
  return n;
}
