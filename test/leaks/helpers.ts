// Shared by the leak tests: run a leak fixture in a real Node child process and run the built CLI.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const bin = fileURLToPath(new URL('../../bin/heapwatch.js', import.meta.url));
export const fixtures = fileURLToPath(new URL('../../fixtures/leaks/', import.meta.url));

/** Runs `node fixtures/leaks/<name> <args…>` (the fixture writes its snapshots with v8.writeHeapSnapshot). */
export function runFixture(name: string, ...args: string[]): void {
  runFixtureWith(process.execPath, name, ...args);
}

/** The same with another Node binary (e.g. Node 22 or 24 from test/snapshot/node-versions.ts). */
export function runFixtureWith(node: string, name: string, ...args: string[]): void {
  const r = spawnSync(node, [`${fixtures}${name}`, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`fixture ${name} failed (${r.status}): ${r.stderr}`);
}

export function heapwatch(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
