// Runs the user's command with the guard preloaded in every Node process it starts, stdio passed through.
import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { usageError } from '../../errors.js';

/** The CommonJS preload (works for CommonJS and ESM apps alike: --require runs before either loader). */
export const REGISTER_PATH = fileURLToPath(new URL('../../guard/register.cjs', import.meta.url));

export interface GuardSettings {
  dir: string;
  maxOldSpaceSizeMb?: number;
  nearLimit?: number;
  signal?: string;
  maxDumps?: number;
  /** HEAPWATCH_MAX_RSS for the guard's memory watch, in bytes. */
  maxRssBytes?: number;
  /** HEAPWATCH_SAMPLE=1: the sampling heap profiler from startup. */
  sample?: boolean;
}

/** NODE_OPTIONS quoting: double quotes with backslash escapes (Node's own parser rules). */
function quoteOption(value: string): string {
  return /^[\w./:=@+-]+$/.test(value) ? value : `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

/** The environment of the child: the preload and --diagnostic-dir appended to NODE_OPTIONS, HEAPWATCH_* set. */
export function guardedEnv(base: NodeJS.ProcessEnv, s: GuardSettings): NodeJS.ProcessEnv {
  const options = [
    base.NODE_OPTIONS ?? '',
    `--require ${quoteOption(REGISTER_PATH)}`,
    // Node writes near-heap-limit snapshots and reports here itself, so they land in the dump folder
    `--diagnostic-dir=${quoteOption(s.dir)}`,
    s.maxOldSpaceSizeMb === undefined ? '' : `--max-old-space-size=${s.maxOldSpaceSizeMb}`,
  ];
  const env: NodeJS.ProcessEnv = { ...base, NODE_OPTIONS: options.filter(Boolean).join(' '), HEAPWATCH_DIR: s.dir };
  if (s.nearLimit !== undefined) env.HEAPWATCH_NEAR_LIMIT = String(s.nearLimit);
  if (s.signal !== undefined) env.HEAPWATCH_SIGNAL = s.signal;
  if (s.maxDumps !== undefined) env.HEAPWATCH_MAX_DUMPS = String(s.maxDumps);
  if (s.maxRssBytes !== undefined) env.HEAPWATCH_MAX_RSS = String(s.maxRssBytes);
  if (s.sample) env.HEAPWATCH_SAMPLE = '1';
  return env;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What a shell would report: the code, or 128 + the signal's number. */
  exitCode: number;
}

export interface RunGuardedOptions {
  /** stdio of the child (default: inherit, so the command talks to the terminal itself). */
  stdio?: StdioOptions;
  /** Called once the child is spawned (e.g. to attach to its pid or read piped output). */
  onSpawn?: (child: ChildProcess) => void;
}

/** Spawns the command; forwards SIGTERM/SIGHUP; resolves when it exits. */
export function runGuarded(
  command: string[],
  env: NodeJS.ProcessEnv,
  options: RunGuardedOptions = {},
): Promise<ChildExit> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), { stdio: options.stdio ?? 'inherit', env });
    options.onSpawn?.(child);
    // Ctrl-C reaches the child from the terminal itself; heapwatch stays to read the dump afterwards
    const ignoreInterrupt = () => {};
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', ignoreInterrupt);
    process.on('SIGTERM', forward);
    process.on('SIGHUP', forward);
    const cleanup = () => {
      process.off('SIGINT', ignoreInterrupt);
      process.off('SIGTERM', forward);
      process.off('SIGHUP', forward);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      cleanup();
      reject(
        err.code === 'ENOENT'
          ? usageError(`cannot run ${command[0]}: command not found`, 'NO_SUCH_COMMAND')
          : usageError(`cannot run ${command[0]}: ${err.message}`, 'CANNOT_RUN'),
      );
    });
    child.on('exit', (code, signal) => {
      cleanup();
      const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
      resolve({ code, signal, exitCode });
    });
  });
}
