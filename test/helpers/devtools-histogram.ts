// DevTools' own class histogram (the Summary view's aggregates: count, shallow size, retained size per class)
// for a snapshot, as a second oracle beside ../shared/devtools-oracle (which prints objects, not classes).
// The script below is bundled once, with the esbuild and DevTools package that build.sh put in its cache folder.
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { oraclePath } from './devtools-oracle.js';

const SCRIPT = `
import {isMainThread, Worker, workerData} from 'node:worker_threads';
import * as fs from 'node:fs';
import {HeapSnapshotLoader} from '../package/front_end/entrypoints/heap_snapshot_worker/HeapSnapshotLoader.js';
import {SecondaryInitManager} from '../package/front_end/entrypoints/heap_snapshot_worker/HeapSnapshot.js';
async function main() {
  const {port1, port2} = new MessageChannel();
  const worker = new Worker(new URL(import.meta.url), {workerData: {port: port2}, transferList: [port2 as any]});
  const loader = new HeapSnapshotLoader({sendEvent() {}} as any);
  for await (const chunk of fs.createReadStream(process.argv[2], {encoding: 'utf8', highWaterMark: 4 << 20})) loader.write(chunk as string);
  loader.close();
  const snap: any = await loader.buildSnapshot(port1 as any);
  worker.terminate();
  const aggregates = snap.aggregatesWithFilter({});
  const rows = Object.values(aggregates).map((a: any) => ({className: a.name, count: a.count, shallowSize: a.self, retainedSize: a.maxRet}));
  fs.writeFileSync(process.argv[3], JSON.stringify(rows));
  process.exit(0);
}
if (isMainThread) main().catch(e => { console.error('FAILED:', e?.stack || e); process.exit(1); });
else new SecondaryInitManager(workerData.port);
`;

let built: string | null = null;

function histogramOraclePath(): string {
  if (built) return built;
  const cache = dirname(oraclePath());
  const dir = join(cache, 'heapwatch-histogram');
  const out = join(dir, 'histogram-oracle.mjs');
  const source = join(dir, 'histogram-oracle.ts');
  if (!existsSync(out) || !existsSync(source) || readFileSync(source, 'utf8') !== SCRIPT) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(source, SCRIPT);
    const bundle = `
const esbuild = require('esbuild'), path = require('path');
const stub = path.resolve(${JSON.stringify(join(cache, 'stub/i18n.ts'))});
esbuild.build({entryPoints: [${JSON.stringify(source)}], bundle: true, platform: 'node', format: 'esm', target: 'node20',
  outfile: ${JSON.stringify(out)}, logLevel: 'warning',
  banner: {js: 'Promise.withResolvers ??= function () { let resolve, reject; const promise = new this((a, b) => { resolve = a; reject = b; }); return { promise, resolve, reject }; };'},
  plugins: [{name: 'stub-i18n', setup(b) { b.onResolve({filter: /i18n\\/i18n\\.js$/}, () => ({path: stub})); }}]
}).catch((e) => { console.error(e); process.exit(1); });`;
    execFileSync(process.execPath, ['-e', bundle], { cwd: cache, stdio: 'inherit' });
  }
  built = out;
  return out;
}

export interface HistogramRow {
  className: string;
  count: number;
  shallowSize: number;
  retainedSize: number;
}

/** DevTools' class rows for a snapshot, in no particular order. */
export function devtoolsHistogram(file: string): HistogramRow[] {
  const outFile = `${file}.histogram.json`;
  const fd = openSync(`${file}.histogram.log`, 'w');
  try {
    execFileSync(process.execPath, [histogramOraclePath(), file, outFile], { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
    rmSync(`${file}.histogram.log`, { force: true });
  }
  const rows = JSON.parse(readFileSync(outFile, 'utf8')) as HistogramRow[];
  rmSync(outFile);
  return rows;
}

/** Rows in one canonical order, for comparing histograms whose class names may repeat. */
export function canonical(rows: HistogramRow[]): HistogramRow[] {
  return rows
    .map(({ className, count, shallowSize, retainedSize }) => ({ className, count, shallowSize, retainedSize }))
    .sort(
      (a, b) =>
        (a.className < b.className ? -1 : a.className > b.className ? 1 : 0) ||
        a.count - b.count ||
        a.shallowSize - b.shallowSize ||
        a.retainedSize - b.retainedSize,
    );
}
