// Names and states of the files the guard writes: `<app>-<pid>-<time>-<reason>.heapsnapshot` (complete),
// `….heapsnapshot.partial` (cut off), `.<final>.<random>.tmp` (being written, see safe-file.cts), and Node's own
// names we adopt.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

export const SNAPSHOT_EXT = '.heapsnapshot';
export const PARTIAL_SUFFIX = '.partial';
export const REPORT_EXT = '.report.json';

/** ISO 8601 basic format, UTC, milliseconds: `20261122T011040.123Z` (no colons: safe in file names and scp). */
export function isoStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '');
}

export function dumpFileName(app: string, pid: number, date: Date, reason: string): string {
  return `${app}-${pid}-${isoStamp(date)}-${reason}${SNAPSHOT_EXT}`;
}

export function reportFileName(app: string, pid: number, date: Date, reason: string): string {
  return `${app}-${pid}-${isoStamp(date)}-${reason}${REPORT_EXT}`;
}

/** The name older versions gave a dump being written: `.<final name>.tmp` (still recognised for clean-up). */
export function tempNameFor(finalName: string): string {
  return `.${finalName}.tmp`;
}

export interface DumpName {
  app: string;
  pid: number;
  stamp: string;
  reason: string;
  partial: boolean;
}

const OUR_DUMP = /^(.+)-(\d+)-(\d{8}T\d{6}\.\d{3}Z)-([a-z0-9-]+)\.heapsnapshot(\.partial)?$/;
// safe-file's `.<final>.<12 hex>.tmp` (and the plain `.<final>.tmp` of older versions); a copy to `.partial` too
const OUR_TEMP = /^\.(.+-(\d+)-\d{8}T\d{6}\.\d{3}Z-[a-z0-9-]+\.heapsnapshot)(?:\.partial)?\.(?:[0-9a-f]{12}\.)?tmp$/;
/** Node's near-heap-limit snapshot: `Heap.<yyyymmdd>.<hhmmss>.<pid>.<thread>.<seq>.heapsnapshot`. */
const NODE_SNAPSHOT = /^Heap\.\d{8}\.\d{6}\.(\d+)\.\d+\.\d+\.heapsnapshot$/;
/** Node's diagnostic report: `report.<yyyymmdd>.<hhmmss>.<pid>.<thread>.<seq>.json`. */
const NODE_REPORT = /^report\.\d{8}\.\d{6}\.(\d+)\.\d+\.\d+\.json$/;

export function parseDumpName(name: string): DumpName | null {
  const m = OUR_DUMP.exec(name);
  return m ? { app: m[1], pid: Number(m[2]), stamp: m[3], reason: m[4], partial: m[5] !== undefined } : null;
}

/** For a temp of ours: the final name (without `.partial`) and the writer's pid. */
export function parseTempName(name: string): { finalName: string; pid: number } | null {
  const m = OUR_TEMP.exec(name);
  return m ? { finalName: m[1], pid: Number(m[2]) } : null;
}

export function nodeSnapshotPid(name: string): number | null {
  const m = NODE_SNAPSHOT.exec(name);
  return m ? Number(m[1]) : null;
}

export function nodeReportPid(name: string): number | null {
  const m = NODE_REPORT.exec(name);
  return m ? Number(m[1]) : null;
}

export interface Completeness {
  complete: boolean;
  size: number;
  /** Why it is not complete, e.g. `cut off: does not end with the strings array`. */
  problem?: string;
}

const HEAD = '{"snapshot":{';

/**
 * Whether a .heapsnapshot file was written to the end. V8 writes the `strings` array last, so a complete file
 * ends with a string's closing quote (not an escaped one) and `]}`; any cut leaves a different tail.
 */
export function snapshotCompleteness(path: string): Completeness {
  // never through a symlink, never blocking on a FIFO someone left under a snapshot's name
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw Object.assign(new Error(`${path}: not a regular file`), { code: 'EINVAL' });
    const size = st.size;
    if (size === 0) return { complete: false, size, problem: 'empty file' };
    const head = Buffer.alloc(Math.min(size, HEAD.length));
    readSync(fd, head, 0, head.length, 0);
    if (head.toString('latin1') !== HEAD.slice(0, head.length) || size < HEAD.length) {
      return { complete: false, size, problem: 'not a heap snapshot (no {"snapshot": header)' };
    }
    const tailLength = Math.min(size, 256);
    const tail = Buffer.alloc(tailLength);
    readSync(fd, tail, 0, tailLength, size - tailLength);
    const text = tail.toString('latin1').replace(/\s+$/, '');
    if (text.endsWith('"strings":[]}')) return { complete: true, size };
    if (!text.endsWith('"]}'))
      return { complete: false, size, problem: 'cut off: does not end with the strings array' };
    let backslashes = 0;
    for (let i = text.length - 4; i >= 0 && text[i] === '\\'; i--) backslashes++;
    if (backslashes % 2 === 1) return { complete: false, size, problem: 'cut off inside a string' };
    return { complete: true, size };
  } finally {
    closeSync(fd);
  }
}
