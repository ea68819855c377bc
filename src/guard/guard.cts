// The guard that runs inside the user's process (loaded by register.cjs / register.js). Node built-ins only.
// It arms Node's near-heap-limit snapshot, diagnostic reports on fatal errors, an optional on-demand snapshot
// signal, and gives every dump its final name, mode 0600, and retention in the dump folder.
import { closeSync, mkdirSync, openSync, unlinkSync, watch, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { getHeapStatistics, setHeapSnapshotNearHeapLimit, writeHeapSnapshot } from 'node:v8';
import { isMainThread } from 'node:worker_threads';
import {
  type AdoptedDump,
  adoptDumps,
  describeDump,
  enforceRetention,
  isAlive,
  markerName,
  settleSnapshot,
} from './adopt.cjs';
import { type GuardConfig, readGuardConfig } from './config.cjs';
import { noRoomReason, SNAPSHOT_BYTES_PER_HEAP_BYTE } from './disk-space.cjs';
import { dumpFileName, nodeSnapshotPid, tempNameFor } from './dump-files.cjs';
import { startRedaction } from './redact-child.cjs';
import { armRescuer } from './rescuer.cjs';

const INSTALLED = Symbol.for('heapwatch.guard');

/** One line on stderr, written synchronously (the process may be about to die). */
function say(message: string): void {
  try {
    writeSync(2, `heapwatch: ${message}\n`);
  } catch {
    // stderr closed: nothing else to tell
  }
}

function announce(dump: AdoptedDump): void {
  say(describeDump(dump));
  if (dump.complete && redactMode !== 'off' && !dump.path.endsWith('-redacted.heapsnapshot')) {
    startRedaction(dump.path, redactMode === 'only', say);
  }
}

/** HEAPWATCH_REDACT as read at install. */
let redactMode: GuardConfig['redact'] = 'off';

export interface Guard {
  readonly config: GuardConfig;
  /** Writes a heap snapshot now (what the signal does); returns its path, or null when skipped or cut off. */
  writeDump(reason: string): string | null;
}

function createGuard(config: GuardConfig): Guard & { adoptOwn(): void } {
  const { dir, app } = config;
  const pid = process.pid;

  const adoptOwn = (): void => {
    const adopted = adoptDumps({
      dir,
      diagnosticDir: config.diagnosticDir,
      shouldAdopt: (p) => p === pid,
      fallbackApp: app,
    });
    if (adopted.dumps.length > 0) enforceRetention(dir, config.maxDumps);
    adopted.dumps.forEach(announce);
  };

  const writeDump = (reason: string): string | null => {
    const finalName = dumpFileName(app, pid, new Date(), reason);
    const needed = getHeapStatistics().used_heap_size * SNAPSHOT_BYTES_PER_HEAP_BYTE;
    const noRoom = noRoomReason(dir, needed, config.minFreeBytes);
    if (noRoom) {
      say(`${reason} heap snapshot skipped: ${noRoom}`);
      return null;
    }
    const temp = join(dir, tempNameFor(finalName));
    closeSync(openSync(temp, 'wx', 0o600)); // the file exists as 0600 before a single byte of heap is in it
    try {
      writeHeapSnapshot(temp);
    } catch (err) {
      say(`${reason} heap snapshot failed: ${(err as Error).message}`);
    }
    const dump = settleSnapshot(temp, join(dir, finalName), pid, reason);
    enforceRetention(dir, config.maxDumps);
    announce(dump);
    return dump.complete ? dump.path : null;
  };

  return { config, writeDump, adoptOwn };
}

/** Runs `work` and reports any failure on stderr: the guard must never throw into the user's app. */
function safely(what: string, work: () => void): void {
  try {
    work();
  } catch (err) {
    say(`${what} failed: ${(err as Error).message}`);
  }
}

/** Arms Node's near-heap-limit snapshot and the two ways it gets our name: next loop turn, or the rescuer. */
function armNearLimit(config: GuardConfig, adoptOwn: () => void): void {
  const { dir, diagnosticDir, app, maxDumps } = config;
  const pid = process.pid;
  setHeapSnapshotNearHeapLimit(config.nearLimit);
  armRescuer({ dir, diagnosticDir, pid, app, maxDumps }, (err) => say(`snapshot rescuer off: ${err.message}`));
  // Node writes the snapshot synchronously under its own name; on the next event-loop turn we give it ours
  try {
    watch(diagnosticDir, { persistent: false }, (_event, name) => {
      if (name && nodeSnapshotPid(String(name)) === pid) safely('adopting the near-heap-limit snapshot', adoptOwn);
    }).on('error', () => {});
  } catch {
    // no inotify: the rescuer, the exit handler, `heapwatch run` or the next guarded start adopt it
  }
}

/** Installs the guard once per process (main thread only). Returns null when it is off or could not start. */
export function installGuard(): Guard | null {
  const g = globalThis as { [INSTALLED]?: Guard | null };
  if (g[INSTALLED] !== undefined) return g[INSTALLED];
  g[INSTALLED] = null;
  if (!isMainThread) return null;

  const config = readGuardConfig(process.env, process.execArgv, process.cwd(), process.argv[1], say);
  const { dir, app } = config;
  redactMode = config.redact;
  const pid = process.pid;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, markerName(pid)), JSON.stringify({ app, pid, startedAt: new Date().toISOString() }), {
      mode: 0o600,
    });
  } catch (err) {
    say(`guard off: cannot use ${dir}: ${(err as Error).message}`);
    return null;
  }
  const guard = createGuard(config);

  // what earlier processes left behind (killed mid-write, died before renaming)
  safely('adopting earlier heap snapshots', () => {
    const left = adoptDumps({
      dir,
      diagnosticDir: config.diagnosticDir,
      shouldAdopt: (p) => p !== pid && !isAlive(p),
      fallbackApp: app,
    });
    enforceRetention(dir, config.maxDumps);
    left.dumps.forEach(announce);
  });

  process.report.directory = dir;
  process.report.reportOnFatalError = true;

  if (config.nearLimit > 0) {
    const atLimit = getHeapStatistics().heap_size_limit * SNAPSHOT_BYTES_PER_HEAP_BYTE;
    const noRoom = noRoomReason(config.diagnosticDir, atLimit, config.minFreeBytes);
    if (noRoom) say(`near-heap-limit snapshots off: ${noRoom}`);
    else armNearLimit(config, guard.adoptOwn);
  }

  if (config.signal) process.on(config.signal, () => safely('signal heap snapshot', () => guard.writeDump('signal')));

  process.on('exit', () => {
    safely('adopting heap snapshots at exit', guard.adoptOwn);
    try {
      unlinkSync(join(dir, markerName(pid)));
    } catch {
      // already removed
    }
  });
  g[INSTALLED] = guard;
  return guard;
}
