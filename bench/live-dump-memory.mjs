// The collector's own peak RSS while streaming a dump of a ~300 MB heap (goal < 100 MB at any snapshot size):
// runs the real CLI, `heapwatch dump <pid> --stream`, against a target holding ~300 MB of small objects, and
// polls the CLI's VmHWM (peak RSS) until it exits. Also reports what the dump cost the target (extra peak RSS,
// wall time), which is what the headroom check estimates.
//   node bench/live-dump-memory.mjs [--items 1900000] [--target-writes]   (needs `npm run build`; ~2-5 min)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const ITEMS = Number(arg('--items', '1900000'));
const STREAM = !process.argv.includes('--target-writes');

const TARGET = `
const keep = [];
for (let i = 0; i < ${ITEMS}; i++) keep.push({ id: i, name: 'item' + i, tags: [i, i + 1], parent: keep[i >> 1] });
globalThis.keep = keep;
const v8 = require('v8');
process.stdout.write(JSON.stringify({ heapUsed: v8.getHeapStatistics().used_heap_size }) + '\\n');
setInterval(() => {}, 1000);
`;

function statusKb(pid, field) {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

const MB = 1024 * 1024;
const work = mkdtempSync(join(tmpdir(), 'heapwatch-bench-dump-'));
const target = spawn(process.execPath, ['--inspect-port=0', '--max-old-space-size=4096', '-e', TARGET], {
  stdio: ['ignore', 'pipe', 'ignore'],
});
try {
  const { heapUsed } = JSON.parse(
    await new Promise((resolve) => target.stdout.once('data', (d) => resolve(String(d)))),
  );
  const targetRssBefore = statusKb(target.pid, 'VmRSS') * 1024;
  const out = join(work, 'bench.heapsnapshot');
  const args = [join(root, 'bin', 'heapwatch.js'), 'dump', String(target.pid), '-o', out, '--json', '--force'];
  if (STREAM) args.push('--stream');
  const t0 = Date.now();
  const cli = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  cli.stdout.on('data', (d) => {
    stdout += d;
  });
  cli.stderr.on('data', (d) => {
    stderr += d;
  });
  let collectorPeakKb = 0;
  let targetPeakKb = 0;
  const poll = setInterval(() => {
    collectorPeakKb = Math.max(collectorPeakKb, statusKb(cli.pid, 'VmHWM') ?? 0);
    targetPeakKb = Math.max(targetPeakKb, statusKb(target.pid, 'VmHWM') ?? 0);
  }, 50);
  const code = await new Promise((resolve) => cli.once('exit', resolve));
  clearInterval(poll);
  const seconds = (Date.now() - t0) / 1000;
  if (code !== 0) throw new Error(`heapwatch dump failed (${code}): ${stderr.trim()}`);
  const dump = JSON.parse(stdout);
  const result = {
    bench: 'live-dump-memory',
    method: dump.method,
    heapUsedMB: +(heapUsed / MB).toFixed(1),
    snapshotMB: +(statSync(out).size / MB).toFixed(1),
    seconds: +seconds.toFixed(1),
    collectorPeakRssMB: +(collectorPeakKb / 1024).toFixed(1),
    goalCollectorPeakRssMB: 100,
    ok: collectorPeakKb / 1024 < 100,
    targetExtraPeakRssMB: +(targetPeakKb / 1024 - targetRssBefore / MB).toFixed(0),
    targetExtraPerHeapByte: +((targetPeakKb * 1024 - targetRssBefore) / heapUsed).toFixed(1),
  };
  console.log(
    `dump (${result.method}) of a ${result.heapUsedMB} MB heap → ${result.snapshotMB} MB file in ${result.seconds} s; ` +
      `collector peak RSS ${result.collectorPeakRssMB} MB (goal < 100 MB: ${result.ok ? 'ok' : 'MISSED'}); ` +
      `target grew by ${result.targetExtraPeakRssMB} MB (${result.targetExtraPerHeapByte}× its used heap)`,
  );
  console.log(JSON.stringify(result));
} finally {
  target.kill();
  rmSync(work, { recursive: true, force: true });
}
