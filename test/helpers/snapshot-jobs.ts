// Programs that write a heap snapshot, run as real child processes two at a time (the machine's cores), each
// snapshot analyzed in this process as soon as it is written, while the next program runs.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { analyzeSnapshot } from '../../src/analysis/index.js';
import type { HeapAnalysis } from '../../src/analysis/types.js';
import { readSnapshot } from '../../src/snapshot/reader.js';

const CONCURRENCY = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function slot<T>(job: () => Promise<T>): Promise<T> {
  if (running >= CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await job();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** Runs `node <args…>` to completion; rejects with its stderr when it fails. */
export function runNode(node: string, args: string[], timeout = 120_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${args.join(' ')} failed (${code ?? signal}): ${err}`)),
    );
  });
}

/**
 * Runs `node <script> <snap> <extra…>`, analyzes the snapshot it writes with the engine the CLI uses, deletes
 * the file, and returns what `pick` takes from the analysis (so the analysis itself can be collected).
 */
export function analyzedRun<T>(
  node: string,
  script: string,
  snap: string,
  pick: (a: HeapAnalysis) => T,
  ...extra: string[]
): Promise<T> {
  return slot(async () => {
    await runNode(node, [script, snap, ...extra]);
    try {
      return pick(analyzeSnapshot(await readSnapshot(snap)));
    } finally {
      rmSync(snap, { force: true });
    }
  });
}
