import { resolve } from 'node:path';
import type { Command } from 'commander';
import { HeapwatchError, usageError } from '../../errors.js';
import { positiveInt } from './analysis-loader.js';

interface RunCommandOptions {
  dir?: string;
  maxOldSpaceSize?: string;
  nearLimit: string;
  signal?: string;
  maxDumps: string;
  maxRss?: string;
  sample?: boolean;
  analyze: boolean;
  top: string;
  json?: boolean;
}

function wholeNumber(value: string, option: string): number {
  if (value === '0') return 0;
  return positiveInt(value, option);
}

const say = (line: string) => process.stderr.write(`heapwatch: ${line}\n`);

async function maxRssOption(value: string | undefined): Promise<number | undefined> {
  if (value === undefined) return undefined;
  const { parseSize } = await import('../../guard/memory-config.cjs');
  const bytes = parseSize(value);
  if (bytes === null) throw usageError(`--max-rss ${value}: not a size (e.g. 512MB, 2G)`);
  return bytes;
}

export function register(program: Command): void {
  program
    .command('run')
    .description(
      'run a command with the heapwatch guard preloaded; if it crashes and left a heap dump, check and analyse it',
    )
    .argument('<command...>', 'the command, after -- (e.g. heapwatch run -- node server.js)')
    .option('--dir <dir>', 'folder for dumps and reports (default: $HEAPWATCH_DIR or ./heapwatch-dumps)')
    .option('--max-old-space-size <mb>', "heap limit of the command's Node processes, in MB")
    .option('--near-limit <n>', 'near-heap-limit snapshots to write (0: none)', '1')
    .option('--signal <signal>', 'signal that writes a snapshot on demand, e.g. SIGUSR2')
    .option('--max-dumps <n>', 'keep at most this many dumps in the folder, oldest removed (0: keep all)', '5')
    .option('--max-rss <size>', 'memory limit to watch without a container, e.g. 512MB (HEAPWATCH_MAX_RSS)')
    .option('--sample', 'run the sampling heap profiler in the command (HEAPWATCH_SAMPLE=1)')
    .option('--no-analyze', 'do not analyse the dump after a crash')
    .option('--top <n>', 'rows of biggest objects and classes in the --json analysis', '10')
    .option('--json', "end with one JSON line on stdout (schema heapwatch/run@1) after the command's own output")
    .action(async (command: string[], opts: RunCommandOptions) => {
      const dir = resolve(opts.dir ?? process.env.HEAPWATCH_DIR ?? 'heapwatch-dumps');
      const settings = {
        dir,
        maxOldSpaceSizeMb:
          opts.maxOldSpaceSize === undefined ? undefined : positiveInt(opts.maxOldSpaceSize, '--max-old-space-size'),
        nearLimit: wholeNumber(opts.nearLimit, '--near-limit'),
        signal: opts.signal,
        maxDumps: wholeNumber(opts.maxDumps, '--max-dumps'),
        maxRssBytes: await maxRssOption(opts.maxRss),
        sample: opts.sample,
      };
      const top = positiveInt(opts.top, '--top');
      const { ALLOWED_SIGNALS, appNameOf } = await import('../../guard/config.cjs');
      if (opts.signal !== undefined) {
        const name = opts.signal.toUpperCase().startsWith('SIG')
          ? opts.signal.toUpperCase()
          : `SIG${opts.signal.toUpperCase()}`;
        if (!ALLOWED_SIGNALS.includes(name)) {
          throw usageError(
            `--signal ${opts.signal}: use one of ${ALLOWED_SIGNALS.join(', ')} (SIGUSR1 opens the inspector)`,
          );
        }
      }
      const { existsSync, rmdirSync } = await import('node:fs');
      // the guard needs the folder while the command runs; one made for this run goes again if nothing was left in it
      const madeHere = !existsSync(dir);
      const { makeOutputFolder } = await import('../outputs.js');
      makeOutputFolder(dir, '--dir');
      const { guardedEnv, runGuarded } = await import('../run/child.js');
      const { collectLeftovers } = await import('../run/post-mortem.js');
      const { formatBytes } = await import('../../format.js');

      const { oomCounterBefore, oomKillDuringRun } = await import('../run/oom-evidence.js');
      const oomBefore = oomCounterBefore();
      const since = Date.now();
      const exit = await runGuarded(command, guardedEnv(process.env, settings));
      process.exitCode = exit.exitCode; // the command's own exit code, whatever heapwatch finds afterwards
      const crashed = exit.exitCode !== 0;
      const mainScript = command.slice(1).find((a) => !a.startsWith('-'));
      const left = collectLeftovers(dir, since - 1000, settings.maxDumps, appNameOf(mainScript ?? command[0]));

      const oomKill = exit.signal === 'SIGKILL' ? oomKillDuringRun(oomBefore, left.memoryReports) : null;
      const leftNothing =
        left.dumps.length + left.reports.length + left.memoryReports.length + left.profiles.length === 0;
      if (madeHere && leftNothing) {
        try {
          rmdirSync(dir); // only an empty folder: anything else in it stays
        } catch {}
      }

      const text = !opts.json;
      const guardLeft = left.dumps.length + left.memoryReports.length + left.profiles.length > 0;
      if (text && (crashed || guardLeft)) {
        const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
        say(`${command.join(' ')} ${how}`);
        if (oomKill)
          say(`the kernel's OOM killer ended it (oom_kill ${oomKill.before} → ${oomKill.after} in ${oomKill.file})`);
        else if (exit.signal === 'SIGKILL')
          say(
            "SIGKILL: the kernel's OOM killer sends it at a memory limit (no oom_kill counter rose in a cgroup heapwatch can read)",
          );
        const { printGuardEvidence } = await import('../run/evidence-text.js');
        printGuardEvidence(left, say);
        for (const d of left.dumps) {
          if (d.complete) say(`${d.reason} heap snapshot: ${d.path} (${formatBytes(d.size)})`);
          else say(`${d.reason} heap snapshot is PARTIAL (${d.problem}), not analysed: ${d.path}`);
        }
        for (const r of left.reports) say(`diagnostic report: ${r}`);
        if (crashed && left.dumps.length === 0) say(`no heap snapshot was written (see ${dir})`);
      }

      const dump = [...left.dumps].reverse().find((d) => d.complete);
      let analysis: unknown = null;
      let htmlReport: string | null = null;
      if (crashed && dump && opts.analyze) {
        try {
          const { analyseDump } = await import('../run/analyse-dump.js');
          const result = await analyseDump(dump.path, top);
          analysis = result.report;
          htmlReport = result.htmlReport;
          if (text) {
            say(`analysis of ${dump.path}:`);
            process.stderr.write(result.summary);
            say(`HTML report: ${htmlReport}`);
            say(`full text report: heapwatch analyze ${dump.path}`);
            say(`open the dump in Chrome DevTools: Memory tab → Load profile → ${dump.path}`);
          }
        } catch (err) {
          // whatever goes wrong reading the dump must not hide the command's own exit code
          const message = err instanceof HeapwatchError ? err.message : `analysis failed: ${(err as Error).message}`;
          say(message);
          if (process.argv.includes('--debug') && err instanceof Error && err.stack)
            process.stderr.write(`${err.stack}\n`);
        }
      }
      if (opts.json) {
        const result = {
          schema: 'heapwatch/run@1',
          command,
          exitCode: exit.exitCode,
          signal: exit.signal,
          dir,
          dumps: left.dumps,
          reports: left.reports,
          memoryReports: left.memoryReports,
          profiles: left.profiles,
          oomKill,
          htmlReport,
          analysis,
        };
        process.stdout.write(`${JSON.stringify(result)}\n`);
      }
    });
}
