// After the command exits: every dump and report it left in the dump folder, adopted, retained and checked.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { adoptDumps, enforceRetention, isAlive } from '../../guard/adopt.cjs';
import { parseDumpName, REPORT_EXT, snapshotCompleteness } from '../../guard/dump-files.cjs';
import { parseEvidenceName } from '../../guard/evidence-files.cjs';

export interface RunDump {
  path: string;
  pid: number;
  reason: string;
  size: number;
  complete: boolean;
  /** Why a partial dump is not complete. */
  problem?: string;
}

export interface RunLeftovers {
  /** Dumps written during the run, oldest first. */
  dumps: RunDump[];
  /** Diagnostic reports written during the run (Node's fatal-error reports), oldest first. */
  reports: string[];
  /** The guard's memory reports (`….memory.json`) and sampling heap profiles (`….heapprofile`), oldest first. */
  memoryReports: string[];
  profiles: string[];
}

/**
 * Gives Node-named snapshots/reports and cut-off temp files of processes that are gone their final names,
 * applies retention, and lists what was written since `since` (ms since the epoch).
 */
export function collectLeftovers(dir: string, since: number, maxDumps: number, fallbackApp: string): RunLeftovers {
  adoptDumps({ dir, diagnosticDir: dir, shouldAdopt: (pid) => !isAlive(pid), fallbackApp });
  enforceRetention(dir, maxDumps);
  const dumps: (RunDump & { stamp: string })[] = [];
  const reports: { path: string; mtime: number }[] = [];
  const evidence: { path: string; stamp: string; kind: string }[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return { dumps, reports: [], memoryReports: [], profiles: [] };
  }
  for (const name of names) {
    const path = join(dir, name);
    const mtime = statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    if (mtime < since) continue;
    const parsed = parseDumpName(name);
    const guardEvidence = parseEvidenceName(name);
    if (guardEvidence) evidence.push({ path, stamp: guardEvidence.stamp, kind: guardEvidence.kind });
    else if (parsed) {
      const c = parsed.partial ? { ...snapshotCompleteness(path), complete: false } : snapshotCompleteness(path);
      const { pid, reason, stamp } = parsed;
      dumps.push({ path, pid, reason, stamp, size: c.size, complete: c.complete, problem: c.problem });
    } else if (name.endsWith(REPORT_EXT)) {
      reports.push({ path, mtime });
    }
  }
  dumps.sort((a, b) => (a.stamp === b.stamp ? (a.path < b.path ? -1 : 1) : a.stamp < b.stamp ? -1 : 1));
  return {
    dumps: dumps.map(({ stamp: _stamp, ...d }) => d),
    reports: reports.sort((a, b) => a.mtime - b.mtime).map((r) => r.path),
    memoryReports: sortedEvidence(evidence, 'memory-report'),
    profiles: sortedEvidence(evidence, 'profile'),
  };
}

function sortedEvidence(all: { path: string; stamp: string; kind: string }[], kind: string): string[] {
  return all
    .filter((e) => e.kind === kind)
    .sort((a, b) => (a.stamp === b.stamp ? (a.path < b.path ? -1 : 1) : a.stamp < b.stamp ? -1 : 1))
    .map((e) => e.path);
}
