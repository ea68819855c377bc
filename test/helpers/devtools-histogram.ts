// DevTools' own class histogram (the Summary view's aggregates: count, shallow size, retained size per class) for a
// snapshot, from the same oracle script as devtools-oracle.ts (`oracle.mjs --classes`).
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { oraclePath } from './devtools-oracle.js';

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
    execFileSync(process.execPath, [oraclePath(), '--classes', file, outFile], { stdio: ['ignore', fd, fd] });
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
