import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { checkOutputFolder, makeOutputFolder } from '../outputs.js';
import { INSPECTOR_HELP, noticeOnStderr, parseDuration, TARGET_HELP } from './live-options.js';

interface AttachCliOptions {
  interval: string;
  window: string;
  dumpDir: string;
  dumpAt?: string;
  inspector?: boolean;
}

/** `heapwatch attach <target>`: the live terminal dashboard. */
export function register(program: Command): void {
  program
    .command('attach')
    .description('live terminal dashboard of a running Node process: heap spaces, GC, time-to-limit forecast')
    .argument('<target>', TARGET_HELP)
    .option('-i, --interval <duration>', 'sampling interval (250ms, 1s, 5s; a bare number is ms)', '1s')
    .option('-w, --window <duration>', 'history the charts keep (e.g. 5m, 60m)', '10m')
    .option('--dump-dir <dir>', 'where d (and --dump-at) write heap dumps (made, mode 0700, when missing)', '.')
    .option('--dump-at <percent>', 'take one dump when heap used crosses this percent of the heap limit')
    .option('--inspector', INSPECTOR_HELP)
    .addHelpText(
      'after',
      '\nKeys: d heap dump, g force a full GC, p pause, +/- longer/shorter interval, q (or Ctrl-C) detach and quit.\n' +
        'Needs a terminal; for a stream of samples use `heapwatch gc <target>`.',
    )
    .action(async (target: string, opts: AttachCliOptions) => {
      const { parsePercent } = await import('../../dashboard/options.js');
      const intervalMs = parseDuration(opts.interval, '--interval');
      const windowMs = parseDuration(opts.window, '--window');
      const dumpAtPercent = opts.dumpAt === undefined ? undefined : parsePercent(opts.dumpAt, '--dump-at');
      if (intervalMs < 100) throw usageError(`--interval: at least 100ms, got ${opts.interval}`);
      if (windowMs < 10 * intervalMs) throw usageError('--window: must hold at least 10 intervals');
      checkOutputFolder(opts.dumpDir, '--dump-dir');
      if (!process.stdout.isTTY || !process.stdin.isTTY) {
        throw usageError(
          'attach draws a terminal dashboard and needs a terminal; for a stream of samples use `heapwatch gc <target>` (or --json)',
          'NOT_A_TTY',
        );
      }
      makeOutputFolder(opts.dumpDir, '--dump-dir'); // missing: made 0700, as the guard makes its folder
      const { runAttach } = await import('../../dashboard/attach.js');
      await runAttach(target, {
        intervalMs,
        windowMs,
        dumpDir: opts.dumpDir,
        dumpAtPercent,
        inspector: opts.inspector,
        notice: noticeOnStderr,
      });
    });
}
