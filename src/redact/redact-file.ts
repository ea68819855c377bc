import { closeSync, constants, fstatSync, openSync, readSync, unlinkSync } from 'node:fs';
import { badInput, HeapwatchError, runtimeError } from '../errors.js';
import { commitTemp, createTemp, type TempFile } from '../guard/safe-file.cjs';
import { SnapshotFormatError } from '../snapshot/format-error.js';
import { BackgroundSyncs } from './background-syncs.js';
import { type RunningThreads, readOnePassCopied, type ThreadOptions } from './copied-pass.js';
import { fileStringUses } from './file-uses.js';
import { FrontCopy } from './front-copy.js';
import { readLayout } from './layout.js';
import { type OnePass, readOnePass } from './one-pass.js';
import { Output } from './output-buffer.js';
import { OutputWriter } from './output-writer.js';
import type { WrittenRange } from './parallel-pass.js';
import { tellStop } from './parallel-pass.js';
import { type RedactionStyle, Replacer } from './replacement.js';
import { writeStringsSection } from './strings-section.js';
import { StringsSource } from './strings-source.js';

export interface RedactOptions {
  /** 'keyed-hash' keeps equal values equal (--keep-equal); default same-length placeholders. */
  style?: RedactionStyle;
  /** Fraction of the work done (0…1), with the step's name. */
  onProgress?: (fraction: number, step: string) => void;
  /** Always take the two-pass way, the one for files not laid out as V8 writes them (tests compare the two). */
  twoPass?: boolean;
  /** Parse on two threads, each writing the bytes it parses: 'auto' (default) does so for files of 16 MB and more. */
  threads?: boolean | 'auto';
  /** For tests: the threads' scripts, the edge chunk size, parsing on one thread only (see ThreadOptions). */
  threadOptions?: ThreadOptions;
}

export interface RedactResult {
  /** Strings in the table, and how many were replaced. */
  strings: number;
  redacted: number;
  bytes: number;
}

/** Files from this size up are parsed on two threads (a worker's start costs ~30 ms). */
const THREADS_FROM_BYTES = 16 << 20;

/**
 * Writes a redacted copy of a snapshot: the same bytes but for the strings section, where every string that is
 * only data is replaced (see uses.ts). Reads the file once where it is laid out as V8 writes it (one-pass.ts: the
 * strings from the end, then nodes and edges parsed as the bytes before the strings are copied to the temporary
 * file beside `output`), else in streaming passes (layout and strings, copying the same bytes as it goes; nodes;
 * edges), then writes the strings,
 * checks the copy's length and tail, and renames it (0600). Nothing is left at `output` or beside it when
 * anything fails or a signal arrives.
 */
export async function redactFile(input: string, output: string, opts: RedactOptions = {}): Promise<RedactResult> {
  let fd: number;
  try {
    fd = openSync(input, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new HeapwatchError(`no such file: ${input}`, 'NO_SUCH_FILE', 2);
    if (code === 'EACCES') throw new HeapwatchError(`permission denied: ${input}`, 'NO_ACCESS', 2);
    throw runtimeError(`cannot open ${input}: ${(e as Error).message}`, 'IO');
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new HeapwatchError(`not a file: ${input}`, 'NOT_A_FILE', 2);
    const report = opts.onProgress ?? (() => {});
    const replacer = new Replacer(opts.style ?? 'placeholder');
    return await writeRedacted(fd, stat.size, input, output, replacer, report, opts);
  } finally {
    closeSync(fd);
  }
}

function asBadInput<T>(input: string, work: () => T): T {
  try {
    return work();
  } catch (e) {
    if (e instanceof SnapshotFormatError) throw badInput(e.what, input, e.offset);
    throw e;
  }
}

/** Bytes read between two background syncs of the copy (BackgroundSyncs). */
const SYNC_EVERY = 64 << 20;
/** Bytes of the strings section written between two background syncs. */
const STRINGS_SYNC_EVERY = 16 << 20;

/** The copy: the layout pass copies the bytes before the strings; then the strings and what follows them. */
async function writeRedacted(
  fd: number,
  size: number,
  input: string,
  output: string,
  replacer: Replacer,
  report: (fraction: number, step: string) => void,
  opts: RedactOptions,
): Promise<RedactResult> {
  let temp: TempFile | null = createTemp(output);
  const removeTemp = (): void => {
    if (!temp) return;
    try {
      if (temp.fd >= 0) closeSync(temp.fd);
    } catch {}
    try {
      unlinkSync(temp.path);
    } catch {}
    temp = null;
  };
  const running: RunningThreads = { worker: null };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (running.worker) tellStop(running.worker);
    // the parse worker may be writing through the descriptor: the file is removed, the descriptor left open
    // (a number closed here could be reused by the next open) until the process ends, at once
    if (temp) {
      try {
        unlinkSync(temp.path);
      } catch {}
      temp = null;
    }
    process.kill(process.pid, signal);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.once(s, onSignal);
  const syncs = new BackgroundSyncs(temp.fd, SYNC_EVERY);
  let stringSyncs: BackgroundSyncs | null = null;
  // writes on libuv's pool that use the descriptor: they must end before it is closed
  let out: Output | null = null;
  let backgroundWork: Promise<void> | null = null;
  try {
    const writer = new OutputWriter(temp.fd);
    const copy = new FrontCopy(fd, temp.fd, writer);
    report(0, 'reading');
    const onFraction = (f: number) => report(0.8 * f, 'reading');
    const threads = opts.threads ?? 'auto';
    const copied = threads === true || (threads === 'auto' && size >= THREADS_FROM_BYTES);
    let read: OnePass | null = null;
    /** The ranges of the front the parse threads wrote. */
    let written: WrittenRange[] | undefined;
    if (copied && !opts.twoPass) {
      const threaded = await readOnePassCopied(fd, size, copy, temp.fd, onFraction, running, syncs, {
        ...opts.threadOptions,
      });
      read = threaded;
      written = threaded?.written;
    } else if (!opts.twoPass) read = readOnePass(fd, size, copy, onFraction);
    if (!read) {
      copy.reset();
      report(0, 'reading strings');
      const layout = asBadInput(input, () => readLayout(fd, size, { copy }));
      report(0.3, 'reading nodes and edges');
      read = { layout, uses: asBadInput(input, () => fileStringUses(fd, layout)) };
    }
    const { layout, uses } = read;
    report(0.8, 'writing');
    const front = layout.stringsOpen + 1;
    // the bytes after the last range the threads wrote are copied on libuv's pool while the strings are written
    let after: Promise<void> = Promise.resolve();
    if (written) {
      copy.fillAround(written, written[written.length - 1][1]);
      after = copy.fillInBackground(front);
      // awaited once the strings are written: a failure before then is not an unhandled rejection
      after.catch(() => {});
      backgroundWork = after;
    } else copy.fillTo(front);
    out = new Output(writer, front);
    const { strings } = layout;
    stringSyncs = new BackgroundSyncs(temp.fd, STRINGS_SYNC_EVERY, front);
    const source = new StringsSource(fd, size, layout.stringsOpen);
    await writeStringsSection(out, strings, source, uses, replacer, stringSyncs);
    await after;
    await out.copyFrom(fd, layout.stringsClose, size);
    out.flush();
    await syncs.settle();
    await stringSyncs.settle();
    writer.finish();
    closeSync(temp.fd);
    temp.fd = -1;
    checkTail(fd, layout.stringsClose, size, temp.path, out.position);
    const path = temp.path;
    temp = null;
    try {
      await commitTemp(path, output);
    } catch (e) {
      try {
        unlinkSync(path);
      } catch {}
      throw runtimeError(`cannot write ${output}: ${(e as Error).message}`, 'IO');
    }
    return { strings: strings.length, redacted: out.redacted, bytes: out.position };
  } catch (e) {
    // (the parse worker is gone: readOnePassCopied stops it whatever happens) syncs use the descriptor
    await syncs.settle().catch(() => {});
    await stringSyncs?.settle().catch(() => {});
    await out?.settle();
    await backgroundWork?.catch(() => {});
    removeTemp();
    if (e instanceof HeapwatchError) throw e;
    throw runtimeError(`cannot write ${output}: ${(e as Error).message}`, 'IO');
  } finally {
    for (const s of signals) process.removeListener(s, onSignal);
  }
}

/** The copy ends as the original does after its strings (`]}` at least) and is as long as written. */
function checkTail(inFd: number, tailFrom: number, inSize: number, outPath: string, written: number): void {
  const n = Math.min(64, inSize - tailFrom, written);
  const want = Buffer.alloc(n);
  const got = Buffer.alloc(n);
  readSync(inFd, want, 0, n, inSize - n);
  const outFd = openSync(outPath, constants.O_RDONLY | constants.O_NOFOLLOW);
  let size: number;
  try {
    readSync(outFd, got, 0, n, written - n);
    size = fstatSync(outFd).size;
  } finally {
    closeSync(outFd);
  }
  if (size !== written || !want.equals(got)) {
    throw runtimeError('the redacted copy did not come out whole (its end differs from the original)', 'IO');
  }
}
