import { readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ensureRuntimeDir, privateDirProblem, runtimeDirPath } from '../guard/runtime-dir.cjs';
import { writeFileSafelySync } from '../guard/safe-file.cjs';
import { readStartTicks } from './proc.js';

/**
 * Which inspectors heapwatch opened (with SIGUSR1) and has not closed yet: one 0600 file per target in this user's
 * private runtime folder. A heapwatch that is SIGKILLed while attached cannot close the inspector; the next run
 * against that process finds the record and closes it.
 */
export interface InspectorRecord {
  pid: number;
  /** The target's start time (clock ticks since boot): a record of an earlier process with the same pid is void. */
  started: number;
  port: number;
  /** The heapwatch process that opened it, and its start time: while it runs, the inspector is still its own. */
  owner: number;
  ownerStarted: number;
}

const recordName = (pid: number): string => `inspector-${pid}.json`;

function startedOrNull(pid: number): number | null {
  try {
    return readStartTicks(pid);
  } catch {
    return null;
  }
}

/** Notes that heapwatch opened the inspector of `pid` on `port`. Best effort: never stops the run. */
export function rememberOpenedInspector(pid: number, port: number): void {
  try {
    const record: InspectorRecord = {
      pid,
      started: readStartTicks(pid),
      port,
      owner: process.pid,
      ownerStarted: readStartTicks(process.pid),
    };
    const dir = ensureRuntimeDir();
    writeFileSafelySync(join(dir, recordName(pid)), JSON.stringify(record), 0o600);
    // records of processes that have ended since: nothing to close any more
    for (const name of readdirSync(dir)) {
      const other = Number(/^inspector-(\d+)\.json$/.exec(name)?.[1] ?? 0);
      if (other > 0 && startedOrNull(other) === null) forgetOpenedInspector(other);
    }
  } catch {}
}

export function forgetOpenedInspector(pid: number): void {
  try {
    unlinkSync(join(runtimeDirPath(), recordName(pid)));
  } catch {}
}

/**
 * The record of an inspector a heapwatch opened in this very process and left open (that heapwatch is gone), or
 * undefined. Stale records (the target restarted) are removed.
 */
export function leftOpenInspector(pid: number): InspectorRecord | undefined {
  const dir = runtimeDirPath();
  if (privateDirProblem(dir, process.getuid?.() ?? 0) !== null) return undefined;
  let record: InspectorRecord;
  try {
    record = JSON.parse(readFileSync(join(dir, recordName(pid)), 'utf8')) as InspectorRecord;
  } catch {
    return undefined;
  }
  if (record.pid !== pid || startedOrNull(pid) !== record.started || !Number.isInteger(record.port)) {
    forgetOpenedInspector(pid);
    return undefined;
  }
  if (record.owner !== process.pid && startedOrNull(record.owner) === record.ownerStarted) return undefined;
  return record;
}
