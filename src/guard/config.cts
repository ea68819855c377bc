// The guard's configuration, read from the environment once at preload time. Never throws: a bad value is
// reported on stderr and replaced by its default, because the guard must not stop the user's app from starting.
import { basename, extname, resolve } from 'node:path';

export interface GuardConfig {
  /** Where dumps, reports and markers go (HEAPWATCH_DIR, default: the diagnostic directory). */
  readonly dir: string;
  /** Where Node itself writes near-heap-limit snapshots: --diagnostic-dir, else the working directory. */
  readonly diagnosticDir: string;
  /** How many near-heap-limit snapshots (HEAPWATCH_NEAR_LIMIT, default 1, 0 = off). */
  readonly nearLimit: number;
  /** Signal that writes a snapshot on demand (HEAPWATCH_SIGNAL), or null. */
  readonly signal: NodeJS.Signals | null;
  /** Keep at most this many dumps in `dir`, removing the oldest (HEAPWATCH_MAX_DUMPS, default 5, 0 = keep all). */
  readonly maxDumps: number;
  /** Bytes of disk that must stay free after a dump (HEAPWATCH_MIN_FREE, default 0). */
  readonly minFreeBytes: number;
  /** Name of the app in dump names (HEAPWATCH_APP, default: the main script's name). */
  readonly app: string;
  /** Serve the live view on a private Unix socket (HEAPWATCH_SOCKET, default on; 0 or off turns it off). */
  readonly socket: boolean;
  /** HEAPWATCH_REDACT: a redacted copy beside each dump ('beside', =1), instead of it ('only'), or none ('off'). */
  readonly redact: 'off' | 'beside' | 'only';
}

/** Signals a handler can take over without changing how the process is stopped or debugged. */
export const ALLOWED_SIGNALS: readonly string[] = ['SIGUSR2', 'SIGHUP', 'SIGWINCH', 'SIGPWR'];

const REFUSED_SIGNAL_REASON: Record<string, string> = {
  SIGUSR1: 'SIGUSR1 opens the inspector in Node',
  SIGINT: 'a handler would stop Ctrl-C from ending the process',
  SIGTERM: 'a handler would stop the process from terminating',
  SIGKILL: 'SIGKILL cannot be handled',
  SIGSTOP: 'SIGSTOP cannot be handled',
};

/** Splits NODE_OPTIONS the way Node does: whitespace separates, double quotes group, `\` escapes inside quotes. */
export function splitNodeOptions(value: string): string[] {
  const args: string[] = [];
  let current = '';
  let inToken = false;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted && c === '\\' && i + 1 < value.length) {
      current += value[++i];
    } else if (c === '"') {
      quoted = !quoted;
      inToken = true;
    } else if (!quoted && /\s/.test(c)) {
      if (inToken) args.push(current);
      current = '';
      inToken = false;
    } else {
      current += c;
      inToken = true;
    }
  }
  if (inToken) args.push(current);
  return args;
}

/** Reads `--diagnostic-dir` from the process's own options (command line or NODE_OPTIONS). */
export function diagnosticDirOf(execArgv: readonly string[], nodeOptions: string | undefined, cwd: string): string {
  const args = [...splitNodeOptions(nodeOptions ?? ''), ...execArgv];
  let dir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--diagnostic-dir=')) dir = a.slice('--diagnostic-dir='.length);
    else if (a === '--diagnostic-dir' && i + 1 < args.length) dir = args[++i];
  }
  return dir ? resolve(cwd, dir) : cwd;
}

/** A file-name-safe app name: the main script's base name without extension. */
export function appNameOf(mainScript: string | undefined): string {
  const base = mainScript ? basename(mainScript, extname(mainScript)) : 'node';
  const safe = base.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '');
  return safe.slice(0, 64) || 'node';
}

function nonNegativeInt(env: NodeJS.ProcessEnv, name: string, fallback: number, warn: (m: string) => void): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (Number.isInteger(n) && n >= 0) return n;
  warn(`${name}=${raw} is not a whole number >= 0; using ${fallback}`);
  return fallback;
}

function signalOf(raw: string | undefined, warn: (m: string) => void): NodeJS.Signals | null {
  if (!raw) return null;
  const name = raw.toUpperCase().startsWith('SIG') ? raw.toUpperCase() : `SIG${raw.toUpperCase()}`;
  if (ALLOWED_SIGNALS.includes(name)) return name as NodeJS.Signals;
  const why = REFUSED_SIGNAL_REASON[name] ?? `use one of ${ALLOWED_SIGNALS.join(', ')}`;
  warn(`HEAPWATCH_SIGNAL=${raw} refused (${why}); no on-demand snapshots`);
  return null;
}

function redactModeOf(raw: string | undefined, warn: (m: string) => void): GuardConfig['redact'] {
  const v = (raw ?? '').trim().toLowerCase();
  if (v === '' || v === '0' || v === 'off' || v === 'false') return 'off';
  if (v === '1' || v === 'on' || v === 'true' || v === 'beside') return 'beside';
  if (v === 'only') return 'only';
  warn(`HEAPWATCH_REDACT=${raw} is not 1 or only; no redacted copies`);
  return 'off';
}

export function readGuardConfig(
  env: NodeJS.ProcessEnv,
  execArgv: readonly string[],
  cwd: string,
  mainScript: string | undefined,
  warn: (message: string) => void,
): GuardConfig {
  const diagnosticDir = diagnosticDirOf(execArgv, env.NODE_OPTIONS, cwd);
  return {
    dir: env.HEAPWATCH_DIR ? resolve(cwd, env.HEAPWATCH_DIR) : diagnosticDir,
    diagnosticDir,
    nearLimit: nonNegativeInt(env, 'HEAPWATCH_NEAR_LIMIT', 1, warn),
    signal: signalOf(env.HEAPWATCH_SIGNAL, warn),
    maxDumps: nonNegativeInt(env, 'HEAPWATCH_MAX_DUMPS', 5, warn),
    minFreeBytes: nonNegativeInt(env, 'HEAPWATCH_MIN_FREE', 0, warn),
    app: env.HEAPWATCH_APP ? appNameOf(env.HEAPWATCH_APP) : appNameOf(mainScript),
    socket: !/^(0|off|false|no)$/i.test(env.HEAPWATCH_SOCKET ?? ''),
    redact: redactModeOf(env.HEAPWATCH_REDACT, warn),
  };
}
