// Writes the bench's snapshots (bench/workload.js in a child node) into a cache folder outside the repo, once;
// later runs reuse them. Sizes are set by node count, which is what the analysis cost follows.
//   node bench/generate.js [--size 50m,280m,660m|2g] [--force]
// Cache folder: $HEAPWATCH_BENCH_DIR, else ~/.cache/heapwatch-bench/.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

// Bump when workload.js changes so cached files are regenerated (a change of units renames the file too).
const WORKLOAD_VERSION = 2;

// units → nodes: about 36–38 heap nodes (~82 bytes of file each) per order plus ~79k nodes of Node itself (Node 20).
export const SIZES = {
  '50m': { units: 15_000, nodes: '0.6 M', maxOldSpaceMB: 1024 },
  '280m': { units: 89_000, nodes: '3.4 M', maxOldSpaceMB: 3072 },
  '660m': { units: 209_000, nodes: '8 M', maxOldSpaceMB: 4096 },
  '2g': { units: 640_000, nodes: '24 M', maxOldSpaceMB: 8192 },
};

export function benchDir() {
  return process.env.HEAPWATCH_BENCH_DIR || path.join(os.homedir(), '.cache', 'heapwatch-bench');
}

export function snapshotPath(size) {
  const major = process.versions.node.split('.')[0];
  const name = `orders-${size}-${SIZES[size].units}u-w${WORKLOAD_VERSION}-node${major}.heapsnapshot`;
  return path.join(benchDir(), 'snapshots', name);
}

// node_count and edge_count from the file's header (they are in its first few hundred bytes).
export function readCounts(file) {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(4096);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    const text = head.subarray(0, n).toString('latin1');
    const nodes = /"node_count":(\d+)/.exec(text);
    const edges = /"edge_count":(\d+)/.exec(text);
    return { nodeCount: nodes ? Number(nodes[1]) : null, edgeCount: edges ? Number(edges[1]) : null };
  } finally {
    fs.closeSync(fd);
  }
}

function describe(size, file, generatedSeconds) {
  return { size, file, bytes: fs.statSync(file).size, ...readCounts(file), generatedSeconds };
}

/** Returns the cached snapshot of `size`, writing it first when absent (or when `force`). */
export function ensureSnapshot(size, { force = false, log = console.error } = {}) {
  const spec = SIZES[size];
  if (!spec) throw new Error(`unknown size ${size} (one of ${Object.keys(SIZES).join(', ')})`);
  const file = snapshotPath(size);
  if (!force && fs.existsSync(file)) return describe(size, file, null);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}`;
  const needGB = size === '2g' ? ' (needs ~9 GB of RAM)' : '';
  log(`generating ${size} snapshot: ${spec.units} orders, ~${spec.nodes} nodes${needGB} → ${file}`);
  const t0 = performance.now();
  const child = spawnSync(
    process.execPath,
    [`--max-old-space-size=${spec.maxOldSpaceMB}`, path.join(here, 'workload.js'), String(spec.units), tmp],
    { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' },
  );
  if (child.status !== 0 || !fs.existsSync(tmp)) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`workload for ${size} failed (exit ${child.status ?? child.signal})`);
  }
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
  return describe(size, file, +((performance.now() - t0) / 1000).toFixed(1));
}

function parseArgs(argv) {
  const args = { sizes: ['50m', '280m', '660m'], force: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--size' || a === '--sizes') args.sizes = String(argv[++i]).split(',').filter(Boolean);
    else if (a === '--force') args.force = true;
    else if (a === '--help' || a === '-h') {
      console.log('usage: node bench/generate.js [--size 50m,280m,660m|2g] [--force]');
      process.exit(0);
    } else {
      console.error(`generate: unknown argument ${a}`);
      process.exit(2);
    }
  }
  return args;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = parseArgs(process.argv.slice(2));
  for (const size of args.sizes) {
    const info = ensureSnapshot(size, { force: args.force });
    console.log(JSON.stringify(info));
  }
}
