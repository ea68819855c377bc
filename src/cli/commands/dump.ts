import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { exitWhenFlushed } from '../exit-when-flushed.js';
import { INSPECTOR_HELP, noticeOnStderr, parseDuration, TARGET_HELP, TIMEOUT_HELP } from './live-options.js';

const CANCEL_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

const exitCodeOf = (signal: NodeJS.Signals): number => (signal === 'SIGINT' ? 130 : signal === 'SIGHUP' ? 129 : 143);

interface DumpCommandOptions {
  output?: string;
  gc?: boolean;
  force?: boolean;
  stream?: boolean;
  json?: boolean;
  inspector?: boolean;
  timeout: string;
  redact?: boolean;
}

/** One rewritten line on stderr while dumping, only on a terminal. */
function dumpProgressLine(): { show(text: string): void; done(): void } {
  const enabled = Boolean(process.stderr.isTTY);
  let last = 0;
  let shown = false;
  return {
    show(text) {
      const now = Date.now();
      if (!enabled || now - last < 200) return;
      last = now;
      shown = true;
      process.stderr.write(`\rdump: ${text}\x1b[K`);
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}

export function register(program: Command): void {
  program
    .command('dump')
    .description('jmap -dump for Node: write a heap snapshot of a live process (mode 0600, complete or not at all)')
    .argument('<target>', TARGET_HELP)
    .option('-o, --output <file>', 'snapshot file (default heapdump-<pid>-<date>-<time>.heapsnapshot)')
    .option('--gc', 'collect garbage before the snapshot (jmap -dump:live)')
    .option('--force', 'dump even when the target does not seem to have the memory for it')
    .option(
      '--stream',
      'stream the snapshot over the inspector even if the target could write it itself (implies --inspector)',
    )
    .option('--inspector', INSPECTOR_HELP)
    .option('--json', 'print the result as JSON (schema heapwatch/dump@1)')
    .option('--redact', 'also write <file>-redacted.heapsnapshot, safe to share (see `heapwatch redact`)')
    .option('--timeout <ms>', TIMEOUT_HELP, '10000')
    .action(async (target: string, opts: DumpCommandOptions) => {
      const timeoutMs = parseDuration(opts.timeout, '--timeout');
      if (opts.output && existsSync(opts.output)) {
        // before attaching: no reason to signal the target for a dump we will not write
        throw usageError(`${resolve(opts.output)} already exists; heapwatch does not overwrite dumps`, 'EXISTS');
      }
      const { checkOutputFile } = await import('../outputs.js');
      await checkOutputFile(
        opts.output ?? 'heapdump.heapsnapshot',
        opts.output ? '--output' : 'the current folder (no -o)',
      );
      const { withLive } = await import('../../live/live-target.js');
      const { defaultDumpName } = await import('../../live/capture.js');
      const { formatBytes } = await import('../../format.js');
      const progress = dumpProgressLine();
      const started = Date.now();
      // Ctrl-C: while attached, the session's handler detaches and exits 130 (the temp file goes with it); from
      // then until exit this one keeps the default action (death) away, so the outcome is decided below, once.
      let lateSignal: NodeJS.Signals | undefined;
      let attaching = true;
      const hold = (signal: NodeJS.Signals): void => {
        // before the dump starts there is nothing to clean up: stop at once, as without this handler
        if (attaching) process.exit(exitCodeOf(signal));
        lateSignal ??= signal;
      };
      for (const s of CANCEL_SIGNALS) process.on(s, hold);
      const how = { timeoutMs, inspector: opts.inspector || opts.stream, notice: noticeOnStderr };
      const result = await withLive(target, how, (live) => {
        attaching = false;
        return live
          .dump({
            output: opts.output ?? defaultDumpName(live.pid),
            gc: opts.gc,
            force: opts.force,
            stream: opts.stream,
            deferCommit: true,
            onHeadroom: (_h, message) => {
              if (!opts.json) process.stderr.write(`heapwatch: ${message}\n`);
            },
            onNotice: (message) => {
              if (!opts.json) process.stderr.write(`heapwatch: ${message}\n`);
            },
            onProgress: (p) =>
              progress.show(
                p.phase === 'write'
                  ? `${formatBytes(p.bytes)} written`
                  : p.fraction === undefined
                    ? `V8 is walking the heap (${Math.round((Date.now() - started) / 1000)} s)`
                    : `${Math.floor(p.fraction * 100)}% of nodes`,
              ),
          })
          .finally(() => progress.done());
      });
      // a signal while detaching: cancelled, nothing kept (the exit handler removes the temp); after this, finished
      if (lateSignal) process.exit(exitCodeOf(lateSignal));
      result.commit();
      // the redacted copy is made here, after the target is detached: it costs the target nothing
      const redacted = opts.redact ? await redactDump(result.file) : undefined;
      if (opts.json) {
        const { dumpReport } = await import('../../live/reports.js');
        process.stdout.write(`${JSON.stringify({ ...dumpReport(result), ...(redacted ? { redacted } : {}) })}\n`);
      } else {
        const how =
          result.method === 'streamed'
            ? 'streamed over the inspector'
            : `written by the target, asked over ${result.via === 'socket' ? "the guard's socket" : 'the inspector'}`;
        process.stdout.write(
          `${result.file} (${formatBytes(result.bytes)}, ${(result.durationMs / 1000).toFixed(1)} s, ${how})\n`,
        );
        if (redacted) process.stdout.write(`${redacted} (redacted copy)\n`);
      }
      // done: exit now rather than let Node tear its handles down, when a late Ctrl-C (the file already complete)
      // would find no handler and kill the process, reporting failure for a dump that succeeded
      exitWhenFlushed();
    });
}

async function redactDump(file: string): Promise<string> {
  const { redactedPath } = await import('../../guard/redact-child.cjs');
  const { redactFile } = await import('../../redact/redact-file.js');
  const out = redactedPath(file);
  await redactFile(file, out);
  return out;
}
