// What the guard's live socket costs inside the target, against the inspector path.
//   idle: CPU time and RSS of a quiet guarded process with the socket on and off (HEAPWATCH_SOCKET=0), over a window
//   per sample: target CPU time (utime+stime from /proc/<pid>/stat) for N back-to-back samples with GC events on,
//               over the socket and over the inspector, divided by N.
// node bench/live-socket-overhead.mjs [--seconds 10] [--samples 500]   (needs `npm run build`)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { openLive } = await import(`${root}dist/live/live-target.js`);
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const WINDOW_S = arg('--seconds', 10);
const SAMPLES = arg('--samples', 500);

const work = mkdtempSync(join(tmpdir(), 'heapwatch-socket-bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const QUIET = `setInterval(() => {}, 1000); process.stdout.write('ready\\n');`;

function stat(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return { cpuMs: ((Number(f[11]) + Number(f[12])) * 1000) / 100, rss: Number(f[21]) * 4096 };
}

async function start(env, extra = []) {
  const child = spawn(process.execPath, [...extra, '--require', `${root}dist/guard/register.cjs`, '-e', QUIET], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, HEAPWATCH_NEAR_LIMIT: '0', HEAPWATCH_DIR: work, ...env },
  });
  await new Promise((resolve) => child.stdout.once('data', resolve));
  await new Promise((r) => setTimeout(r, 1000)); // start-up work settles outside the window
  return child;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function idle() {
  const on = await start({});
  const off = await start({ HEAPWATCH_SOCKET: '0' });
  const a0 = stat(on.pid);
  const b0 = stat(off.pid);
  await sleep(WINDOW_S * 1000);
  const a1 = stat(on.pid);
  const b1 = stat(off.pid);
  on.kill();
  off.kill();
  return {
    cpuMsOn: a1.cpuMs - a0.cpuMs,
    cpuMsOff: b1.cpuMs - b0.cpuMs,
    rssOn: a1.rss,
    rssOff: b1.rss,
  };
}

async function perSample(inspector) {
  const child = await start({}, inspector ? ['--inspect-port=0'] : []);
  const live = await openLive(String(child.pid), { inspector });
  const sampler = await live.startSampler(1000);
  await sampler.sample();
  const c0 = stat(child.pid).cpuMs;
  const t0 = Date.now();
  for (let i = 0; i < SAMPLES; i++) await sampler.sample();
  const wallMs = Date.now() - t0;
  const cpuMs = stat(child.pid).cpuMs - c0;
  await live.detach();
  child.kill();
  return { via: live.via, cpuMsPerSample: cpuMs / SAMPLES, wallMsPerSample: wallMs / SAMPLES };
}

const idleResult = await idle();
console.log(
  `idle ${WINDOW_S} s: CPU ${idleResult.cpuMsOn} ms with the socket, ${idleResult.cpuMsOff} ms without; ` +
    `RSS ${(idleResult.rssOn / 2 ** 20).toFixed(1)} MB with, ${(idleResult.rssOff / 2 ** 20).toFixed(1)} MB without`,
);
for (const inspector of [false, true]) {
  const r = await perSample(inspector);
  console.log(
    `${r.via}: ${r.cpuMsPerSample.toFixed(3)} ms of target CPU per sample, ${r.wallMsPerSample.toFixed(2)} ms round trip (${SAMPLES} samples)`,
  );
}
