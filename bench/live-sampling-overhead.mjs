// Sampling overhead on the target at 1 Hz: CPU time (utime+stime from /proc/<pid>/stat) of two identical targets
// over the same window, one sampled by heapwatch's sampler (one Runtime.evaluate per second + the injected GC
// observer), one not; then the roles swap and the two differences are averaged, which cancels any per-process bias.
// Goal: ≤ 0.5% of one core.   node bench/live-sampling-overhead.mjs [--seconds 20]   (needs `npm run build`)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { attach } = await import(`${root}dist/live/session.js`);
const { startSampler } = await import(`${root}dist/live/sampler.js`);

const secondsArg = process.argv.indexOf('--seconds');
const WINDOW_S = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 20;
const CLK_TCK = 100;

// A service-like workload: ~2 MB/s of short-lived objects (minor GCs several times a second) and a growing cache.
const WORKLOAD = `
const cache = new Map();
let n = 0;
setInterval(() => {
  const batch = [];
  for (let i = 0; i < 400; i++) batch.push({ id: n++, payload: 'x'.repeat(32) + i });
  if (n % 4000 === 0) cache.set(n, batch.slice(0, 10));
}, 10);
process.stdout.write('ready\\n');
`;

function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
}

async function startTarget() {
  const child = spawn(process.execPath, ['--inspect-port=0', '-e', WORKLOAD], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise((resolve) => child.stdout.once('data', resolve));
  return child;
}

/** CPU ms of `sampled` and `idle` over one window while `sampled` is sampled at 1 Hz. */
async function window(sampled, idle) {
  const session = await attach(String(sampled.pid));
  const sampler = await startSampler(session, { intervalMs: 1000 });
  await sampler.sample();
  await new Promise((r) => setTimeout(r, 1000)); // let attach/installation costs settle outside the window
  const a0 = cpuMs(sampled.pid);
  const b0 = cpuMs(idle.pid);
  const t0 = Date.now();
  let samples = 0;
  for (let i = 1; i <= WINDOW_S; i++) {
    const wait = t0 + i * 1000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await sampler.sample();
    samples++;
  }
  const elapsed = Date.now() - t0;
  const a1 = cpuMs(sampled.pid);
  const b1 = cpuMs(idle.pid);
  await session.detach();
  return { sampledMs: a1 - a0, idleMs: b1 - b0, elapsedMs: elapsed, samples };
}

const A = await startTarget();
const B = await startTarget();
await new Promise((r) => setTimeout(r, 2000)); // both warmed up
try {
  const w1 = await window(A, B);
  const w2 = await window(B, A);
  const elapsed = w1.elapsedMs + w2.elapsedMs;
  const extra = w1.sampledMs - w1.idleMs + (w2.sampledMs - w2.idleMs);
  const overheadPct = (100 * extra) / elapsed;
  const baselinePct = (100 * (w1.idleMs + w2.idleMs)) / elapsed;
  const perSampleMs = extra / (w1.samples + w2.samples);
  const result = {
    bench: 'live-sampling-overhead',
    windowSeconds: WINDOW_S,
    samples: w1.samples + w2.samples,
    targetCpuWithoutSamplingPct: +baselinePct.toFixed(3),
    overheadPctOfCore: +overheadPct.toFixed(3),
    targetCpuMsPerSample: +perSampleMs.toFixed(3),
    cpuResolutionMs: 1000 / CLK_TCK,
    goalPctOfCore: 0.5,
    ok: overheadPct <= 0.5,
    windows: [w1, w2],
  };
  console.log(
    `sampling at 1 Hz costs the target ${overheadPct.toFixed(3)}% of a core (${perSampleMs.toFixed(2)} ms CPU per sample; ` +
      `workload alone ${baselinePct.toFixed(1)}%); goal ≤ 0.5%: ${result.ok ? 'ok' : 'MISSED'}`,
  );
  console.log(JSON.stringify(result));
} finally {
  A.kill();
  B.kill();
}
