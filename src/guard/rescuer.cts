// Node writes the near-heap-limit snapshot synchronously, then the process often dies without another turn of
// its event loop (a tight allocation loop, one big array growth). So once the heap is well on its way to the
// limit, a worker thread starts watching for that snapshot and gives it its final name the moment its tail
// shows it is complete. Before that the guard costs no thread at all (a worker costs ~11 MB of RSS).
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { comparableHeapLimit } from './heap-limit.cjs';

/**
 * Heap use at which the rescuer starts: half the limit, but no later than 64 MB below it. (V8's
 * heap_size_limit includes ~48 MB reserved for the young generation, so a 24 MB old space has a 72 MB limit
 * and dies near 30 MB used: half the limit would come too late for small heaps.)
 */
export function rescuerThreshold(heapSizeLimit: number): number {
  return Math.max(0, Math.min(heapSizeLimit * 0.5, heapSizeLimit - 64 * 1048576));
}
const HEAP_CHECK_MS = 250;
// a process can die ~150 ms after its snapshot is complete: poll well within that (a readdir of one folder)
const RESCUE_POLL_MS = 20;

export interface RescuerSettings {
  dir: string;
  diagnosticDir: string;
  pid: number;
  app: string;
  maxDumps: number;
  minFreeBytes: number;
}

// Runs in the worker (CommonJS eval): polls for this pid's Node-named snapshots, adopts them once complete.
const RESCUER_SOURCE = `
const { workerData: w } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const { adoptDumps, enforceRetention, describeDump } = require(w.adoptModule);
const { nodeSnapshotPid, snapshotCompleteness } = require(w.dumpFilesModule);
const poll = setInterval(() => {
  try {
    const mine = fs.readdirSync(w.diagnosticDir).filter((n) => nodeSnapshotPid(n) === w.pid);
    if (mine.length === 0) return;
    // still being written: wait (a cut-off file is settled as partial by whoever adopts it after death)
    if (!mine.every((n) => snapshotCompleteness(path.join(w.diagnosticDir, n)).complete)) return;
    const adopted = adoptDumps({ dir: w.dir, diagnosticDir: w.diagnosticDir, shouldAdopt: (p) => p === w.pid, fallbackApp: w.app, minFreeBytes: w.minFreeBytes });
    if (adopted.dumps.length > 0) enforceRetention(w.dir, w.maxDumps);
    for (const d of adopted.dumps) fs.writeSync(2, 'heapwatch: ' + describeDump(d) + '\\n');
  } catch (err) {
    // the main thread adopted it first, or the folder went away: nothing to rescue
    if (err.code === 'ENOENT') return;
    // no room to copy it, or a copy that failed: say so once and leave the snapshot where Node wrote it
    clearInterval(poll);
    fs.writeSync(2, 'heapwatch: adopting the near-heap-limit snapshot failed: ' + err.message + '\\n');
  }
}, ${RESCUE_POLL_MS});
`;

function startRescuer(s: RescuerSettings): Worker {
  const worker = new Worker(RESCUER_SOURCE, {
    eval: true,
    workerData: { ...s, adoptModule: join(__dirname, 'adopt.cjs'), dumpFilesModule: join(__dirname, 'dump-files.cjs') },
    // a small heap of its own: it only lists a folder and reads file tails
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
  });
  worker.on('error', () => {}); // a rescuer failure must never reach the app
  worker.unref();
  return worker;
}

/** Checks the heap every 250 ms (unref'd timer) and starts the rescuer once it passes rescuerThreshold. */
export function armRescuer(s: RescuerSettings, onError: (err: Error) => void): void {
  const check = setInterval(() => {
    // comparable limit: Node 24's larger young-generation reserve kept small heaps from ever reaching the mark
    if (getHeapStatistics().used_heap_size < rescuerThreshold(comparableHeapLimit())) return;
    clearInterval(check);
    try {
      startRescuer(s);
    } catch (err) {
      onError(err as Error);
    }
  }, HEAP_CHECK_MS);
  check.unref();
}
