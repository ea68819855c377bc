// Runs one command as its own process and measures it: wall time and peak resident memory (VmHWM).
// Peak RSS comes from GNU time's %M when /usr/bin/time is there (the kernel's own high-water mark, read at exit),
// else from polling /proc/<pid>/status. Threads (worker_threads) share the process, so they are counted.
// stdout goes to a file, not a pipe: a tool that prints a large JSON and exits at once loses the tail on a pipe.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const GNU_TIME = '/usr/bin/time';
let gnuTimeWorks;

function hasGnuTime() {
  if (gnuTimeWorks === undefined) {
    gnuTimeWorks =
      fs.existsSync(GNU_TIME) && spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0;
  }
  return gnuTimeWorks;
}

function readHighWaterMark(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * @param {string} command
 * @param {string[]} args
 * @param {{env?: NodeJS.ProcessEnv, cwd?: string, timeoutSeconds?: number}} [options]
 * @returns {Promise<{exitCode: number|null, signal: string|null, seconds: number, cpuSeconds: number|null,
 *   peakRssBytes: number,
 *   stdout: string, stderr: string, timedOut: boolean}>}
 */
export async function measure(command, args, options = {}) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwatch-bench-'));
  const outFile = path.join(work, 'stdout');
  const timeFile = path.join(work, 'time');
  const out = fs.openSync(outFile, 'w');
  const useTime = hasGnuTime();
  const [cmd, argv] = useTime ? [GNU_TIME, ['-f', '%M %U %S', '-o', timeFile, command, ...args]] : [command, args];
  const t0 = performance.now();
  const child = spawn(cmd, argv, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', out, 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  let polledPeak = 0;
  const poll = useTime
    ? null
    : setInterval(() => (polledPeak = Math.max(polledPeak, readHighWaterMark(child.pid))), 50);
  let timedOut = false;
  const timer = setTimeout(
    () => {
      timedOut = true;
      child.kill('SIGKILL');
    },
    (options.timeoutSeconds ?? 1800) * 1000,
  );
  const [exitCode, signal] = await new Promise((resolve) => child.on('close', (code, sig) => resolve([code, sig])));
  const seconds = (performance.now() - t0) / 1000;
  clearTimeout(timer);
  if (poll) clearInterval(poll);
  fs.closeSync(out);
  let peakRssBytes = polledPeak;
  let cpuSeconds = null;
  if (useTime) {
    // GNU time prints "Command exited with non-zero status N" before the numbers when the command fails
    const lines = fs.existsSync(timeFile) ? fs.readFileSync(timeFile, 'utf8').trim().split('\n') : [];
    const [maxRssKB, user, sys] = (lines.at(-1) ?? '').split(' ').map(Number);
    peakRssBytes = maxRssKB * 1024 || 0;
    cpuSeconds = user + sys || null;
  }
  const stdout = fs.readFileSync(outFile, 'utf8');
  fs.rmSync(work, { recursive: true, force: true });
  // through GNU time, a killed child shows as exit 128+n
  return { exitCode, signal, seconds, cpuSeconds, peakRssBytes, stdout, stderr, timedOut };
}

/** The last line of `text` that parses as a JSON object, or null. */
export function lastJson(text) {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      return JSON.parse(trimmed);
    } catch {}
  }
  const lines = trimmed.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!lines[i].startsWith('{')) continue;
    try {
      return JSON.parse(lines[i]);
    } catch {}
  }
  return null;
}
