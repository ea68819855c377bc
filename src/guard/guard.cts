// The guard that runs inside the user's process (loaded by register.cjs / register.js). Node built-ins only.
// It arms Node's near-heap-limit snapshot, diagnostic reports on fatal errors, an optional on-demand snapshot
// signal, and gives every dump its final name, mode 0600, and retention in the dump folder.
import { closeSync, mkdirSync, statSync, unlinkSync, watch, writeSync } from 'node:fs';
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
import { dumpFileName, nodeSnapshotPid } from './dump-files.cjs';
import { type MemoryWatch, startMemoryWatch } from './memory-watch.cjs';
import { startRedaction } from './redact-child.cjs';
import { armRescuer } from './rescuer.cjs';
import { createTemp, writeFileSafelySync } from './safe-file.cjs';
import { type GuardSocket, startGuardSocket } from './socket-server.cjs';

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

function createGuard(config: GuardConfig, memory: MemoryWatch): Guard & { adoptOwn(): void } {
  const { dir, app } = config;
  const pid = process.pid;

  const adoptOwn = (): void => {
    const adopted = adoptDumps({
      dir,
      diagnosticDir: config.diagnosticDir,
      shouldAdopt: (p) => p === pid,
      fallbackApp: app,
      minFreeBytes: config.minFreeBytes,
    });
    if (adopted.dumps.length > 0) enforceRetention(dir, config.maxDumps);
    adopted.dumps.forEach(announce);
  };

  const writeDump = (reason: string): string | null => {
    const noMemory = memory.snapshotProblem(); // a snapshot that cannot fit would get the process OOM-killed
    if (noMemory) {
      say(`${reason} heap snapshot skipped: ${noMemory}`);
      return null;
    }
    const finalName = dumpFileName(app, pid, new Date(), reason);
    const needed = getHeapStatistics().used_heap_size * SNAPSHOT_BYTES_PER_HEAP_BYTE;
    const noRoom = noRoomReason(dir, needed, config.minFreeBytes);
    if (noRoom) {
      say(`${reason} heap snapshot skipped: ${noRoom}`);
      return null;
    }
    // a fresh random name, created 0600 and exclusively before a single byte of heap is in it
    const temp = createTemp(join(dir, finalName));
    try {
      // V8 opens the name it is given; on Linux the fd's own /proc link, so nobody can swap the file under it
      writeHeapSnapshot(process.platform === 'linux' ? `/proc/self/fd/${temp.fd}` : temp.path);
    } catch (err) {
      say(`${reason} heap snapshot failed: ${(err as Error).message}`);
    } finally {
      closeSync(temp.fd);
    }
    const dump = settleSnapshot(temp.path, join(dir, finalName), pid, reason);
    enforceRetention(dir, config.maxDumps);
    announce(dump);
    return dump.complete ? dump.path : null;
  };

  return { config, writeDump, adoptOwn };
}

function sameFileSystem(a: string, b: string): boolean {
  try {
    return statSync(a).dev === statSync(b).dev;
  } catch {
    return false;
  }
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
  const { dir, diagnosticDir, app, maxDumps, minFreeBytes } = config;
  const pid = process.pid;
  setHeapSnapshotNearHeapLimit(config.nearLimit);
  armRescuer({ dir, diagnosticDir, pid, app, maxDumps, minFreeBytes }, (err) =>
    say(`snapshot rescuer off: ${err.message}`),
  );
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
    // never through whatever someone else put under the marker's name (HEAPWATCH_DIR may be a shared folder)
    writeFileSafelySync(join(dir, markerName(pid)), JSON.stringify({ app, pid, startedAt: new Date().toISOString() }));
  } catch (err) {
    say(`guard off: cannot use ${dir}: ${(err as Error).message}`);
    return null;
  }
  const memory = startMemoryWatch(config, say, (reason) => guard.writeDump(reason));
  const guard = createGuard(config, memory);

  // what earlier processes left behind (killed mid-write, died before renaming)
  safely('adopting earlier heap snapshots', () => {
    const left = adoptDumps({
      dir,
      diagnosticDir: config.diagnosticDir,
      shouldAdopt: (p) => p !== pid && !isAlive(p),
      fallbackApp: app,
      minFreeBytes: config.minFreeBytes,
    });
    enforceRetention(dir, config.maxDumps);
    left.dumps.forEach(announce);
  });

  process.report.directory = dir;
  process.report.reportOnFatalError = true;

  if (config.nearLimit > 0) {
    const atLimit = getHeapStatistics().heap_size_limit * SNAPSHOT_BYTES_PER_HEAP_BYTE;
    // Node writes into the diagnostic folder; from another file system the dump is then copied into the dump folder
    const noRoom =
      noRoomReason(config.diagnosticDir, atLimit, config.minFreeBytes) ??
      (sameFileSystem(config.diagnosticDir, dir) ? null : noRoomReason(dir, atLimit, config.minFreeBytes));
    if (noRoom) say(`near-heap-limit snapshots off: ${noRoom}`);
    else if (memory.nearLimitProblem) say(`near-heap-limit snapshots off: ${memory.nearLimitProblem}`);
    else armNearLimit(config, guard.adoptOwn);
  }

  if (config.signal) {
    const signalDump = () => {
      memory.writeProfile('signal'); // before the snapshot: the profile survives a snapshot that kills us
      guard.writeDump('signal');
    };
    process.on(config.signal, () => safely('signal heap snapshot', signalDump));
  }

  let liveSocket: GuardSocket | null = null;
  if (config.socket) safely('the live socket', () => (liveSocket = startGuardSocket(say)));

  process.on('exit', () => {
    liveSocket?.close();
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
