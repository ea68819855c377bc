// What `heapwatch sample` costs the target (not a test; figures go to the README):
//  1. CPU time of a fixed allocation-heavy workload with and without V8's sampling heap profiler, at a few
//     sampling intervals (alternating runs, median of each);
//  2. the time of HeapProfiler.getSamplingProfile on a profile of ~10,000 allocation sites.
// Runs in-process through node:inspector (the same V8 profiler heapwatch starts over the wire).
//   node bench/sample-cost.mjs [--runs 5]
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Number(values.runs);
const session = new Session();
session.connect();

const kept = [];
/** Allocation-heavy work: short-lived objects and strings, a few kept (like a request handler). */
function workload() {
  let n = 0;
  for (let i = 0; i < 400_000; i++) {
    const o = { i, name: `item ${i}`, tags: [i, i + 1, i + 2] };
    n += o.tags.length + o.name.length;
    if (i % 1000 === 0) kept.push(o);
  }
  if (kept.length > 20_000) kept.length = 0;
  return n;
}

function cpuMs(fn) {
  const start = process.cpuUsage();
  fn();
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (let i = 0; i < 3; i++) workload(); // warm up (TurboFan)
const intervals = [null, 128 * 1024, 32 * 1024, 8 * 1024, 1024];
const times = new Map(intervals.map((k) => [k, []]));
for (let r = 0; r < RUNS; r++) {
  for (const interval of intervals) {
    if (interval !== null) await session.post('HeapProfiler.startSampling', { samplingInterval: interval });
    times.get(interval).push(cpuMs(workload));
    if (interval !== null) await session.post('HeapProfiler.stopSampling');
  }
}
const base = median(times.get(null));
console.log(`workload: 400,000 objects + strings per run, median CPU of ${RUNS} runs`);
console.log(`  no sampling          ${base.toFixed(1)} ms`);
for (const interval of intervals.slice(1)) {
  const t = median(times.get(interval));
  console.log(
    `  every ${String(interval / 1024).padStart(3)} KB          ${t.toFixed(1)} ms  (${(((t - base) / base) * 100).toFixed(1)}%)`,
  );
}

// ~10,000 distinct allocation sites at the default interval, each keeping an array big enough to be sampled
kept.length = 0;
await session.post('HeapProfiler.startSampling');
const sites = [];
for (let i = 0; i < 10_000; i++) {
  sites.push(new Function('keep', `return function site${i}() { keep.push(new Array(12000).fill(${i})); };`)(kept));
}
for (const f of sites) f();
const reads = [];
let count = 0;
for (let r = 0; r < RUNS; r++) {
  const t0 = performance.now();
  const { profile } = await session.post('HeapProfiler.getSamplingProfile');
  reads.push(performance.now() - t0);
  count = 0;
  const stack = [profile.head];
  while (stack.length) {
    const n = stack.pop();
    count++;
    stack.push(...n.children);
  }
}
await session.post('HeapProfiler.stopSampling');
console.log(
  `getSamplingProfile on ${count.toLocaleString('en-US')} call-tree nodes: median ${median(reads).toFixed(1)} ms`,
);
session.disconnect();
