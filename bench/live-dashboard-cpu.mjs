// The dashboard's own cost: CPU time (utime+stime from /proc/<pid>/stat) of `heapwatch attach` running in a real
// terminal (tmux, 160×45) against a Node service that allocates and leaks slowly, at --interval 1s and 250ms.
// The dashboard redraws at most 4 times a second, so 250ms is its busiest setting.
//   node bench/live-dashboard-cpu.mjs [--seconds 30]   (needs `npm run build` and tmux)
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const secondsArg = process.argv.indexOf('--seconds');
const WINDOW_S = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 30;
const CLK_TCK = 100;

// ~1 MB/s of short-lived objects, ~50 KB/s kept: GC events every second, a heap that moves on the charts.
const WORKLOAD = `
const kept = [];
setInterval(() => {
  const batch = [];
  for (let i = 0; i < 1000; i++) batch.push({ i, s: 'x' + i });
  if (Math.random() < 0.05) kept.push(batch);
}, 50);
process.stdout.write('ready\\n');
`;

const cpuMs = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK; // utime, stime (fields 14, 15)
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const tmux = (...args) => execFileSync('tmux', args, { encoding: 'utf8' });

try {
  tmux('-V');
} catch {
  console.error('live-dashboard-cpu: needs tmux (apt-get install tmux)');
  process.exit(1);
}

async function measureAt(interval) {
  const target = spawn(process.execPath, ['--inspect-port=0', '-e', WORKLOAD], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise((r) => target.stdout.once('data', r));
  const session = `hw-bench-${process.pid}-${interval}`;
  const cmd = `'${process.execPath}' bin/heapwatch.js attach ${target.pid} --interval ${interval}`;
  tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '45', '-c', root, cmd);
  try {
    const shell = Number(tmux('display', '-p', '-t', session, '#{pane_pid}').trim());
    await sleep(3000); // attached and warmed up
    // sh -c runs the one command in its place, or as its only child
    const kids = readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim();
    const pid = kids ? Number(kids.split(' ')[0]) : shell;
    const c0 = cpuMs(pid);
    const t0 = Date.now();
    await sleep(WINDOW_S * 1000);
    const used = cpuMs(pid) - c0;
    const elapsed = Date.now() - t0;
    const screen = tmux('capture-pane', '-p', '-t', session);
    const samples = Number(/samples (\d+)/.exec(screen)?.[1] ?? 0);
    if (!samples) console.error(screen);
    tmux('send-keys', '-t', session, 'q');
    await sleep(1500);
    return {
      interval,
      seconds: +(elapsed / 1000).toFixed(1),
      cpuMs: used,
      pctOfCore: +((100 * used) / elapsed).toFixed(2),
      samples,
    };
  } finally {
    try {
      tmux('kill-session', '-t', session);
    } catch {}
    target.kill();
  }
}

const runs = [];
for (const interval of ['1s', '250ms']) runs.push(await measureAt(interval));
for (const r of runs) {
  console.log(
    `heapwatch attach --interval ${r.interval}: ${r.pctOfCore}% of a core over ${r.seconds} s (${r.cpuMs} ms CPU)`,
  );
}
console.log(
  JSON.stringify({ bench: 'live-dashboard-cpu', windowSeconds: WINDOW_S, cpuResolutionMs: 1000 / CLK_TCK, runs }),
);
