import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const REGISTER_CJS = join(REPO, 'dist/guard/register.cjs');

const createdDirs: string[] = [];

/** A fresh folder under the OS temp dir; removeTempDirs() (in afterAll) deletes them and the dumps in them. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `heapwatch-${prefix}-`));
  createdDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of createdDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function writeApp(dir: string, name: string, source: string): string {
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
}

/** An app that keeps growing a module-level Map until the heap runs out. */
export const LEAKY_APP = `
const ordersById = new Map();
let i = 0;
function grow() {
  for (let k = 0; k < 5000; k++, i++) ordersById.set(i, { id: i, payload: \`order-\${i}-\${'p'.repeat(40)}\` });
  setImmediate(grow);
}
grow();
`;

/**
 * An app that grows with event-loop turns past 12 MB, runs on for 1.5 s, then allocates in a loop that never
 * yields until the heap runs out: after Node's near-limit snapshot the main thread gets no other turn.
 */
export const TIGHT_LOOP_APP = `
const v8 = require('node:v8');
const ordersById = new Map();
let i = 0;
const add = () => ordersById.set(i, { id: i, payload: \`order-\${i++}-\${'p'.repeat(40)}\` });
function grow() {
  for (let k = 0; k < 1000; k++) add();
  if (v8.getHeapStatistics().used_heap_size < 12 * 1048576) return setImmediate(grow);
  setTimeout(() => {
    process.stdout.write('tight loop\\n');
    for (;;) add();
  }, 1500);
}
grow();
`;

/**
 * An app that retains `mb` × 10,000 small objects, says "ready" and idles until killed. With `killMidWrite`, a
 * worker thread SIGKILLs the process as soon as a dump being written (`.….tmp`) passes 1 MB: a dump cut off the
 * way the kernel's OOM killer or a deploy's kill -9 would cut it.
 */
export function idleApp(mb: number, killMidWrite = false): string {
  const killer = `
const { Worker } = require('node:worker_threads');
new Worker(\`
  const fs = require('node:fs');
  const dir = process.env.HEAPWATCH_DIR;
  setInterval(() => {
    for (const n of fs.readdirSync(dir)) {
      if (n.endsWith('.tmp') && fs.statSync(dir + '/' + n, { throwIfNoEntry: false })?.size > 1048576) {
        process.kill(process.pid, 'SIGKILL');
      }
    }
  }, 1);
\`, { eval: true }).unref();
`;
  return `${killMidWrite ? killer : ''}
const retained = [];
for (let i = 0; i < ${mb} * 10000; i++) retained.push({ i, s: 'x'.repeat(60) + i });
process.stdout.write('ready\\n');
setInterval(() => retained.length, 1000);
`;
}

export interface Child {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout/stderr match, rejects on exit or timeout. */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startNode(args: string[], env: Record<string, string>, cwd: string, binary = process.execPath): Child {
  const proc = spawn(binary, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  const listeners = new Set<() => void>();
  proc.stdout!.on('data', (c) => {
    out.stdout += c;
    for (const l of listeners) l();
  });
  proc.stderr!.on('data', (c) => {
    out.stderr += c;
    for (const l of listeners) l();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    proc,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    exited,
    waitFor(stream, pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out[stream].match(pattern);
          if (m) {
            cleanup();
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern} on ${stream}; stderr: ${out.stderr}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        exited.then(() => {
          check();
          if (listeners.has(check)) {
            cleanup();
            reject(new Error(`exited before ${pattern} on ${stream}; stderr: ${out.stderr}`));
          }
        });
        check();
      });
    },
  };
}
