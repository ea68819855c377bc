// Where the analysis engine spends its time: each phase of analyzeSnapshot (one thread) and
// analyzeSnapshotParallel (two), with this thread's CPU time (from /proc/thread-self/stat, so a loaded machine
// does not inflate it) beside the wall time, and peak RSS.
//   npm run build && node bench/analysis-phases.js <file.heapsnapshot> [--parallel]
import { readFileSync } from 'node:fs';
import { classHistogram } from '../dist/analysis/histogram.js';
import { analyzeSnapshot, analyzeSnapshotParallel } from '../dist/analysis/index.js';
import { findWaste } from '../dist/analysis/waste/index.js';
import { readSnapshot } from '../dist/snapshot/reader.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/analysis-phases.js <file.heapsnapshot> [--parallel]');
  process.exit(2);
}
const parallel = process.argv.includes('--parallel');

/** CPU milliseconds of the calling thread (Linux; 10 ms resolution). */
function threadCpuMs() {
  const fields = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const sec = (ms) => `${(ms / 1000).toFixed(2)} s`;

let peak = 0;
const poll = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 20);

const t = performance.now();
const snapshot = await readSnapshot(file);
console.log(
  `read: ${sec(performance.now() - t)}, ${snapshot.nodeCount} nodes, ${snapshot.edgeCount} edges, rss ${mib(process.memoryUsage().rss)}`,
);

const start = { wall: performance.now(), cpu: threadCpuMs() };
let last = { ...start, name: '' };
const mark = (next) => {
  const now = { wall: performance.now(), cpu: threadCpuMs() };
  if (last.name) {
    console.log(
      `  ${last.name.padEnd(18)} wall ${sec(now.wall - last.wall)}  cpu ${sec(now.cpu - last.cpu)}  rss ${mib(process.memoryUsage().rss)}`,
    );
  }
  last = { ...now, name: next };
};
const analysis = await (parallel ? analyzeSnapshotParallel : analyzeSnapshot)(snapshot, { onPhase: mark });
mark('histogram');
classHistogram(analysis);
mark('waste');
// analyze's waste section (the findings; their examples' paths come from the holder-path search analyze runs anyway)
const waste = findWaste(analysis);
mark('');
console.log(`  waste analyses: ${waste.timings.map((w) => `${w.name} ${w.ms} ms`).join(', ')}`);
peak = Math.max(peak, process.memoryUsage().rss);
clearInterval(poll);
const end = { wall: performance.now(), cpu: threadCpuMs() };
console.log(
  `analysis + histogram + waste (${parallel ? 'two threads' : 'one thread'}): wall ${sec(end.wall - start.wall)}, this thread's cpu ${sec(end.cpu - start.cpu)}; peak rss ${mib(peak)}`,
);
