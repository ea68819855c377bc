// Adoption: gives every dump and report its final name in the dump folder. Node writes near-heap-limit
// snapshots and fatal-error reports itself (with its own names, into --diagnostic-dir or the working
// directory), and a process can die before it renames a dump of ours; whoever runs next — the process itself
// on its next event-loop turn, `heapwatch run` after the child exits, or the next guarded start — moves them.
import {
  closeSync,
  constants,
  existsSync,
  fchmodSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { humanBytes, noRoomReason } from './disk-space.cjs';
import {
  dumpFileName,
  nodeReportPid,
  nodeSnapshotPid,
  PARTIAL_SUFFIX,
  parseDumpName,
  parseTempName,
  reportFileName,
  snapshotCompleteness,
} from './dump-files.cjs';
import { createTemp } from './safe-file.cjs';

export interface AdoptedDump {
  path: string;
  pid: number;
  reason: string;
  complete: boolean;
  size: number;
  /** For a partial dump: what is wrong with it. */
  problem?: string;
}

export interface Adopted {
  dumps: AdoptedDump[];
  reports: string[];
}

export interface AdoptOptions {
  /** The dump folder (HEAPWATCH_DIR). */
  dir: string;
  /** Where Node writes its own snapshots and reports (may equal dir). */
  diagnosticDir: string;
  /** Adopt files of this pid? (own pid, or a pid that is no longer running). */
  shouldAdopt: (pid: number) => boolean;
  /** The app name for a pid with no marker file. */
  fallbackApp: string;
  /** Bytes of disk that must stay free after a copy across file systems (HEAPWATCH_MIN_FREE). */
  minFreeBytes?: number;
}

/** The marker a guarded process leaves in the dump folder while it runs: names its app for adoption. */
export function markerName(pid: number): string {
  return `.heapwatch-${pid}.json`;
}

const MARKER = /^\.heapwatch-(\d+)\.json$/;

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function appOf(dir: string, pid: number, fallback: string): string {
  try {
    const marker = JSON.parse(readFileSync(join(dir, markerName(pid)), 'utf8')) as { app?: unknown };
    if (typeof marker.app === 'string' && marker.app) return marker.app;
  } catch {
    // no marker: a process that ran without a marker, or one from before this version
  }
  return fallback;
}

const COPY_CHUNK = 1 << 20;

/**
 * Moves `from` (a regular file, never followed through a symlink) to `to`, mode 0600: a rename, or across file
 * systems a copy into a fresh random temp beside `to` that is renamed only once whole (and, for a snapshot, once its
 * tail is as complete as the source's), then the source removed. A killed or failed copy leaves the source where it
 * was and nothing under `to`; the temp is removed here, or by the next adopter after a kill.
 */
function moveFile(from: string, to: string, minFreeBytes: number, snapshot?: { complete: boolean }): void {
  const src = openSync(from, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const st = fstatSync(src);
    if (!st.isFile()) throw new Error(`${from}: not a regular file`);
    fchmodSync(src, 0o600);
    try {
      renameSync(from, to);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    }
    copyAcross(src, st.size, from, to, minFreeBytes, snapshot);
  } finally {
    closeSync(src);
  }
  unlinkSync(from);
}

function copyAcross(
  src: number,
  size: number,
  from: string,
  to: string,
  minFreeBytes: number,
  snapshot: { complete: boolean } | undefined,
): void {
  const noRoom = noRoomReason(dirname(to), size, minFreeBytes);
  if (noRoom) throw new Error(`not moved from ${from}: ${noRoom}`);
  const temp = createTemp(to, 0o600);
  try {
    const buf = Buffer.allocUnsafe(COPY_CHUNK);
    let at = 0;
    for (let n = readSync(src, buf, 0, COPY_CHUNK, at); n > 0; n = readSync(src, buf, 0, COPY_CHUNK, at)) {
      for (let w = 0; w < n; ) w += writeSync(temp.fd, buf, w, n - w);
      at += n;
    }
    fsyncSync(temp.fd);
    closeSync(temp.fd);
    temp.fd = -1;
    if (at !== size) throw new Error(`${from} changed while it was copied`);
    if (snapshot?.complete && !snapshotCompleteness(temp.path).complete) {
      throw new Error(`the copy of ${from} is not complete`);
    }
    renameSync(temp.path, to);
  } catch (err) {
    if (temp.fd >= 0) closeSync(temp.fd);
    try {
      unlinkSync(temp.path);
    } catch {}
    throw new Error(`not moved from ${from}: ${(err as Error).message.split(temp.path).join(to)}`);
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The one line announcing a dump (the guard and its rescuer print it after `heapwatch: `). */
export function describeDump(dump: AdoptedDump): string {
  return dump.complete
    ? `${dump.reason} heap snapshot: ${dump.path} (${humanBytes(dump.size)})`
    : `${dump.reason} heap snapshot is PARTIAL (${dump.problem}): ${dump.path}`;
}

/** True when another adopter (the rescuer thread, another process) moved the file first. */
function goneAlready(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

function isRegularFile(path: string): boolean {
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
}

/** A symlink or other non-file under a snapshot's name (someone else's, in a shared folder): never ours to move. */
function notARegularFile(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ELOOP' || code === 'EINVAL';
}

/** Moves one snapshot to `finalPath`, or to `finalPath.partial` when it was cut off. */
export function settleSnapshot(
  from: string,
  finalPath: string,
  pid: number,
  reason: string,
  minFreeBytes = 0,
): AdoptedDump {
  const c = snapshotCompleteness(from);
  const path = c.complete ? finalPath : `${finalPath}${PARTIAL_SUFFIX}`;
  moveFile(from, path, minFreeBytes, c);
  return { path, pid, reason, complete: c.complete, size: c.size, problem: c.problem };
}

function reportReason(path: string): string {
  try {
    const header = (JSON.parse(readFileSync(path, 'utf8')) as { header?: { trigger?: string } }).header;
    const trigger = header?.trigger ?? 'report';
    // OOMError → oom-error, FatalError → fatal-error, JavaScript API → javascript-api
    return trigger
      .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
      .replace(/([a-z])([A-Z])/g, '$1-$2')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .toLowerCase();
  } catch {
    return 'report';
  }
}

/**
 * Adopts Node-named snapshots and reports of guarded processes (those with a marker in `dir`) and our leftover
 * temp files; removes the markers of dead processes.
 */
export function adoptDumps(options: AdoptOptions): Adopted {
  const { dir, diagnosticDir, shouldAdopt, fallbackApp } = options;
  const minFree = options.minFreeBytes ?? 0;
  const adopted: Adopted = { dumps: [], reports: [] };
  const folders = diagnosticDir === dir ? [dir] : [diagnosticDir, dir];
  // Node-named files are only ours when a guarded process (one that left a marker) wrote them
  const guarded = (pid: number) => shouldAdopt(pid) && existsSync(join(dir, markerName(pid)));
  for (const folder of folders) {
    for (const name of listDir(folder)) {
      const from = join(folder, name);
      const snapshotPid = nodeSnapshotPid(name);
      if (snapshotPid !== null && guarded(snapshotPid)) {
        try {
          const when = statSync(from).mtime;
          const app = appOf(dir, snapshotPid, fallbackApp);
          const to = join(dir, dumpFileName(app, snapshotPid, when, 'near-heap-limit'));
          adopted.dumps.push(settleSnapshot(from, to, snapshotPid, 'near-heap-limit', minFree));
        } catch (err) {
          if (!goneAlready(err) && !notARegularFile(err)) throw err;
        }
        continue;
      }
      const reportPid = nodeReportPid(name);
      if (reportPid !== null && guarded(reportPid) && !isAlive(reportPid)) {
        if (!isRegularFile(from)) continue; // gone, or not Node's report: someone else's link or folder
        const app = appOf(dir, reportPid, fallbackApp);
        const to = join(dir, reportFileName(app, reportPid, statSync(from).mtime, reportReason(from)));
        try {
          moveFile(from, to, minFree);
          adopted.reports.push(to);
        } catch (err) {
          if (!goneAlready(err) && !notARegularFile(err)) throw err;
        }
      }
    }
  }
  for (const name of listDir(dir)) {
    const temp = parseTempName(name);
    // a temp file of a live process is still being written: never touch it
    if (temp && shouldAdopt(temp.pid) && !isAlive(temp.pid)) {
      const finalPath = join(dir, temp.finalName);
      if (existsSync(finalPath) || existsSync(`${finalPath}${PARTIAL_SUFFIX}`)) {
        // a copy cut off by a kill whose source has been adopted since (above): the temp is only a leftover
        try {
          unlinkSync(join(dir, name));
        } catch {}
        continue;
      }
      const parsed = parseDumpName(temp.finalName);
      adopted.dumps.push(settleSnapshot(join(dir, name), finalPath, temp.pid, parsed?.reason ?? 'unknown', minFree));
    }
  }
  for (const name of listDir(dir)) {
    const m = MARKER.exec(name);
    if (m && shouldAdopt(Number(m[1])) && !isAlive(Number(m[1]))) {
      try {
        unlinkSync(join(dir, name));
      } catch {
        // another adopter removed it first
      }
    }
  }
  return adopted;
}

/** Keeps the newest `maxDumps` dumps (complete and partial) in `dir`; returns the removed paths. 0 keeps all. */
export function enforceRetention(dir: string, maxDumps: number): string[] {
  if (maxDumps <= 0) return [];
  const dumps = listDir(dir)
    .filter((name) => parseDumpName(name) !== null)
    .map((name) => ({ path: join(dir, name), name, stamp: parseDumpName(name)!.stamp }))
    .sort((a, b) => (a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : a.name < b.name ? -1 : 1));
  const removed: string[] = [];
  for (const d of dumps.slice(0, Math.max(0, dumps.length - maxDumps))) {
    try {
      unlinkSync(d.path);
      removed.push(d.path);
    } catch {
      // already gone
    }
  }
  return removed;
}
