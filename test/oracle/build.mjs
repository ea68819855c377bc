#!/usr/bin/env node
// Builds the DevTools conformance oracle: Chrome DevTools' heap snapshot worker, from the chrome-devtools-frontend
// npm package (pinned below), bundled with devtools-worker.ts into one Node script. Everything goes into a cache
// folder outside the repository (HEAPWATCH_DEVTOOLS_ORACLE_CACHE, default ~/.cache/heapwatch-devtools-oracle/<version>);
// a second call finds the script there. Prints the script's path.
// Exit 0: built (or found). Exit 3: the package could not be had (offline, registry down): the one reason on stderr,
// and the conformance tests skip. Exit 1: anything else (a bundling error is a defect, not a reason to skip).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEVTOOLS_FRONTEND_VERSION = '1.0.1705227';
const here = fileURLToPath(new URL('.', import.meta.url));
const SOURCES = ['devtools-worker.ts', 'i18n-stub.ts', 'build.mjs'];
// the parts of the package's front_end the worker's imports reach (the rest is 70 MB of UI)
const NEEDED = ['core', 'models/heap_snapshot', 'entrypoints/heap_snapshot_worker', 'third_party'];

export function cacheDir() {
  return (
    process.env.HEAPWATCH_DEVTOOLS_ORACLE_CACHE ??
    join(homedir(), '.cache', 'heapwatch-devtools-oracle', DEVTOOLS_FRONTEND_VERSION)
  );
}

class Unavailable extends Error {}

/** The package's front_end folder, fetched with `npm pack` and unpacked once (atomically: concurrent runs race safely). */
function frontEnd(dir) {
  const target = join(dir, 'front_end');
  if (existsSync(target)) return target;
  const work = mkdtempSync(join(dir, 'fetch-'));
  try {
    const spec = `chrome-devtools-frontend@${DEVTOOLS_FRONTEND_VERSION}`;
    const pack = spawnSync('npm', ['pack', spec, '--pack-destination', work, '--fetch-retries=1', '--loglevel=error'], {
      cwd: work,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (pack.status !== 0 || !tarball) {
      // npm's error block: the fetch's own sentence when there is one, else its error code
      const lines = (pack.stderr || pack.error?.message || '').split('\n').map((l) => l.replace(/^npm error\s*/, ''));
      const why = lines.find((l) => /^(FetchError|404)\b/.test(l)) ?? lines.find((l) => /^code /.test(l)) ?? '';
      throw new Unavailable(`npm pack ${spec} failed${why ? `: ${why}` : ''}`);
    }
    const members = NEEDED.map((p) => `package/front_end/${p}`);
    const untar = spawnSync('tar', ['-xzf', join(work, tarball), '-C', work, ...members], { encoding: 'utf8' });
    if (untar.status !== 0) throw new Error(`unpacking ${tarball} failed: ${untar.stderr.trim()}`);
    try {
      renameSync(join(work, 'package', 'front_end'), target);
    } catch (e) {
      if (!existsSync(target)) throw e; // another run unpacked it first
    }
    return target;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Bundles devtools-worker.ts with the package's sources into the folder `out` (built aside, then renamed in). */
async function bundle(dir, src, out) {
  const { build } = await import('rolldown');
  const stub = join(here, 'i18n-stub.ts');
  const i18n = join(src, 'core', 'i18n', 'i18n.js');
  const partial = mkdtempSync(join(dir, 'bundle-'));
  try {
    await build({
      input: { oracle: join(here, 'devtools-worker.ts') },
      platform: 'node',
      logLevel: 'silent',
      plugins: [
        {
          name: 'devtools-sources',
          resolveId(source, importer) {
            if (source.startsWith('__devtools__/')) {
              return join(src, source.slice('__devtools__/'.length).replace(/\.js$/, '.ts'));
            }
            // localised strings, the one part of the UI the worker reaches: replaced by the English stub
            if (importer && resolve(dirname(importer), source) === i18n) return stub;
            return null;
          },
        },
      ],
      output: {
        dir: partial,
        format: 'esm',
        entryFileNames: '[name].mjs',
        chunkFileNames: '[name]-[hash].mjs',
        // Node 20 has no Promise.withResolvers, which the worker uses
        banner:
          'Promise.withResolvers ??= function () { let resolve, reject; const promise = new this((a, b) => { resolve = a; reject = b; }); return { promise, resolve, reject }; };',
      },
    });
    try {
      renameSync(partial, out);
    } catch (e) {
      if (!existsSync(out)) throw e; // another run built it first
    }
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}

/** Builds (or finds) the oracle script; returns its path. Throws Unavailable when the package cannot be fetched. */
export async function buildOracle() {
  const dir = cacheDir();
  mkdirSync(dir, { recursive: true });
  const hash = createHash('sha256');
  for (const f of SOURCES) hash.update(readFileSync(join(here, f)));
  const out = join(dir, `oracle-${hash.digest('hex').slice(0, 12)}`);
  const script = join(out, 'oracle.mjs');
  if (!existsSync(script)) await bundle(dir, frontEnd(dir), out);
  return script;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildOracle().then(
    (path) => console.log(path),
    (e) => {
      console.error(e instanceof Unavailable ? e.message : `building the DevTools oracle failed: ${e?.stack ?? e}`);
      process.exitCode = e instanceof Unavailable ? 3 : 1;
    },
  );
}
