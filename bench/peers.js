// The tools heapwatch is measured against, installed outside the project's dependencies on first use:
// - memlab (@memlab/core + @memlab/heap-analysis) into <bench dir>/peers/memlab, without Puppeteer's browser;
// - Chrome DevTools' heap snapshot worker, built by ../shared/devtools-oracle/build.sh (it prints the script's path).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchDir } from './generate.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..');
const MEMLAB_VERSION = '2.0.5';

export function memlabDir() {
  return path.join(benchDir(), 'peers', 'memlab');
}

/** Installs memlab into the cache folder when missing; returns the folder (its node_modules hold @memlab/*). */
export function ensureMemlab({ log = console.error } = {}) {
  const dir = memlabDir();
  const marker = path.join(dir, 'node_modules', '@memlab', 'heap-analysis', 'package.json');
  if (fs.existsSync(marker)) return dir;
  fs.mkdirSync(dir, { recursive: true });
  const pkg = path.join(dir, 'package.json');
  if (!fs.existsSync(pkg)) fs.writeFileSync(pkg, '{"name":"heapwatch-bench-memlab","private":true}\n');
  log(`installing memlab ${MEMLAB_VERSION} into ${dir} …`);
  const npm = spawnSync(
    'npm',
    [
      'install',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      `@memlab/core@${MEMLAB_VERSION}`,
      `@memlab/heap-analysis@${MEMLAB_VERSION}`,
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' } },
  );
  if (npm.status !== 0 || !fs.existsSync(marker)) throw new Error(`npm install of memlab failed (exit ${npm.status})`);
  return dir;
}

/** Builds (or finds) DevTools' worker as a Node script; returns the path of oracle.mjs. */
export function ensureDevtoolsOracle() {
  const script = path.resolve(repoRoot, '..', 'shared', 'devtools-oracle', 'build.sh');
  if (!fs.existsSync(script)) throw new Error(`${script} not found (the repo's sibling shared/ folder)`);
  const built = spawnSync('bash', [script], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const out = built.stdout.trim().split('\n').pop() ?? '';
  if (built.status !== 0 || !out.endsWith('.mjs') || !fs.existsSync(out)) {
    throw new Error(`devtools-oracle/build.sh failed (exit ${built.status})`);
  }
  return out;
}
