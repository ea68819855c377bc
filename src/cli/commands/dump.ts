import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { parseDuration, TARGET_HELP, TIMEOUT_HELP } from './live-options.js';

interface DumpCommandOptions {
  output?: string;
  gc?: boolean;
  force?: boolean;
  stream?: boolean;
  json?: boolean;
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
    .option('--stream', 'stream the snapshot over the inspector even if the target could write it itself')
    .option('--json', 'print the result as JSON (schema heapwatch/dump@1)')
    .option('--redact', 'also write <file>-redacted.heapsnapshot, safe to share (see `heapwatch redact`)')
    .option('--timeout <ms>', TIMEOUT_HELP, '10000')
    .action(async (target: string, opts: DumpCommandOptions) => {
      const timeoutMs = parseDuration(opts.timeout, '--timeout');
      if (opts.output && existsSync(opts.output)) {
        // before attaching: no reason to signal the target for a dump we will not write
        throw usageError(`${resolve(opts.output)} already exists; heapwatch does not overwrite dumps`, 'EXISTS');
      }
      const { withSession } = await import('../../live/session.js');
      const { dumpHeap, defaultDumpName } = await import('../../live/capture.js');
      const { formatBytes } = await import('../../format.js');
      const progress = dumpProgressLine();
      const started = Date.now();
      const result = await withSession(target, { timeoutMs }, (session) =>
        dumpHeap(session, {
          output: opts.output ?? defaultDumpName(session.pid),
          gc: opts.gc,
          force: opts.force,
          stream: opts.stream,
          onHeadroom: (_h, message) => {
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
        }).finally(() => progress.done()),
      );
      // the redacted copy is made here, after the target is detached: it costs the target nothing
      const redacted = opts.redact ? await redactDump(result.file) : undefined;
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify({
            schema: 'heapwatch/dump@1',
            file: result.file,
            ...(redacted ? { redacted } : {}),
            bytes: result.bytes,
            method: result.method,
            durationMs: result.durationMs,
            headroom: result.headroom,
          })}\n`,
        );
      } else {
        const how = result.method === 'target-wrote' ? 'written by the target' : 'streamed over the inspector';
        process.stdout.write(
          `${result.file} (${formatBytes(result.bytes)}, ${(result.durationMs / 1000).toFixed(1)} s, ${how})\n`,
        );
        if (redacted) process.stdout.write(`${redacted} (redacted copy)\n`);
      }
    });
}

async function redactDump(file: string): Promise<string> {
  const { redactedPath } = await import('../../guard/redact-child.cjs');
  const { redactFile } = await import('../../redact/redact-file.js');
  const out = redactedPath(file);
  await redactFile(file, out);
  return out;
}
