// What `heapwatch sample` costs the target (not a test; figures go to the README):
//  1. CPU time of a fixed allocation-heavy workload with and without V8's sampling heap profiler, at a few
//     sampling intervals (alternating runs, median of each);
//  2. the push sender's fixed mode (fixtures/push-sender/, a child process against the mock provider) with and
//     without sampling at the default interval: its CPU time and peak RSS (alternating runs, median of each);
//  3. the time of HeapProfiler.getSamplingProfile on a profile of ~10,000 allocation sites.
// Runs in-process through node:inspector (the same V8 profiler heapwatch starts over the wire); the sender
// samples through bench/sampling-preload.cjs.
//   node bench/sample-cost.mjs [--runs 5] [--members 100000]
import { spawn } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { senderCommand, startProvider } from '../fixtures/push-sender/index.mjs';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, members: { type: 'string', default: '100000' } },
});
const RUNS = Number(values.runs);
const MEMBERS = Number(values.members);
const PRELOAD = fileURLToPath(new URL('./sampling-preload.cjs', import.meta.url));
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

// the push sender's fixed mode, a child process: CPU time and peak RSS with and without sampling at 32 KB
/** One sender run: { cpuMs, maxRssKb } from the preload's exit line. */
function senderRun(providerUrl, interval) {
  const [node, ...args] = senderCommand({ providerUrl, members: MEMBERS, mode: 'fixed', heapMb: 64 });
  return new Promise((resolve, reject) => {
    const child = spawn(node, ['-r', PRELOAD, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, BENCH_SAMPLE_INTERVAL: String(interval ?? 0) },
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d) => {
      err += d;
    });
    child.on('close', (code) => {
      const line = /^BENCH (.*)$/m.exec(err);
      if (code !== 0 || !line) reject(new Error(`sender failed (${code}): ${err.slice(-500)}`));
      else resolve(JSON.parse(line[1]));
    });
  });
}
const provider = await startProvider({ batchLimit: 500, latencyMs: 50 });
const pushRuns = new Map([
  [null, []],
  [32 * 1024, []],
]);
for (let r = 0; r < RUNS; r++) {
  for (const interval of pushRuns.keys()) pushRuns.get(interval).push(await senderRun(provider.url, interval));
}
await provider.close();
const pushBase = pushRuns.get(null);
const pushSampled = pushRuns.get(32 * 1024);
const cpu0 = median(pushBase.map((x) => x.cpuMs));
const cpu1 = median(pushSampled.map((x) => x.cpuMs));
const rss0 = median(pushBase.map((x) => x.maxRssKb));
const rss1 = median(pushSampled.map((x) => x.maxRssKb));
console.log(`push sender --mode fixed, ${MEMBERS.toLocaleString('en-US')} members, median of ${RUNS} runs`);
console.log(`  no sampling          CPU ${cpu0.toFixed(0)} ms, peak RSS ${(rss0 / 1024).toFixed(1)} MB`);
console.log(
  `  every  32 KB          CPU ${cpu1.toFixed(0)} ms (${(((cpu1 - cpu0) / cpu0) * 100).toFixed(1)}%), peak RSS ${(rss1 / 1024).toFixed(1)} MB (${rss1 >= rss0 ? '+' : ''}${((rss1 - rss0) / 1024).toFixed(1)} MB)`,
);

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
