// The tools heapwatch is measured against, installed outside the project's dependencies on first use:
// - memlab (@memlab/core + @memlab/heap-analysis) into <bench dir>/peers/memlab, without Puppeteer's browser;
// - Chrome DevTools' heap snapshot worker, built by test/oracle/build.mjs into its own cache folder.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { devtoolsOracle } from '../test/oracle/locate.mjs';
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

/** Builds (or finds) DevTools' worker as a Node script; returns the script's path. */
export function ensureDevtoolsOracle() {
  const found = devtoolsOracle();
  if (found.unavailable) throw new Error(found.unavailable);
  return found.script;
}
