// The oracle for synchronous callers (the tests' helpers, the bench): build.mjs runs once per process in a child,
// and its answer is kept. Offline, the answer is the one reason the conformance tests skip.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const build = fileURLToPath(new URL('build.mjs', import.meta.url));
let answer = null;

/** `{ script }`: the built oracle's path; `{ unavailable }`: why the DevTools package could not be had. */
export function devtoolsOracle() {
  if (answer) return answer;
  const run = spawnSync(process.execPath, [build], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const script = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status === 0 && script.endsWith('.mjs')) answer = { script };
  else if (run.status === 3) answer = { unavailable: `DevTools oracle unavailable: ${run.stderr.trim()}` };
  else throw new Error(`building the DevTools oracle failed (exit ${run.status}):\n${run.stderr.trim()}`);
  return answer;
}
