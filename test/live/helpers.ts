import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CJS_TARGET = fileURLToPath(new URL('./fixtures/target.cjs', import.meta.url));
export const ESM_TARGET = fileURLToPath(new URL('./fixtures/target.mjs', import.meta.url));

export interface TargetState {
  names: string[];
  symbols: string[];
  inspectorUrl: string | null;
}

export interface Target {
  child: ChildProcess;
  pid: number;
  stderr(): string;
  /** Asks the target itself what heapwatch left behind (globals, open inspector). */
  state(): Promise<TargetState>;
  /** Sends a command line to the target and resolves with its answer line. */
  ask(line: string): Promise<string>;
  send(line: string): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running: ChildProcess[] = [];

export async function startTarget(
  nodeArgs: string[],
  file = CJS_TARGET,
  env: NodeJS.ProcessEnv = {},
  how: { uid?: number; gid?: number; node?: string } = {},
): Promise<Target> {
  const child = spawn(how.node ?? process.execPath, [...nodeArgs, file], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
    uid: how.uid,
    gid: how.gid,
  });
  running.push(child);
  let err = '';
  let out = '';
  const waiters: ((line: string) => void)[] = [];
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    let nl = out.indexOf('\n');
    while (nl >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      waiters.shift()?.(line);
      nl = out.indexOf('\n');
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const nextLine = (): Promise<string> =>
    new Promise((resolve, reject) => {
      waiters.push(resolve);
      void exited.then(({ code, signal }) =>
        reject(new Error(`target exited (code ${code}, signal ${signal}); stderr:\n${err}`)),
      );
    });
  const ready = await nextLine();
  if (!ready.startsWith('ready ')) throw new Error(`unexpected first line from target: ${ready}`);
  return {
    child,
    pid: child.pid!,
    stderr: () => err,
    async state() {
      const answer = nextLine();
      child.stdin!.write('state\n');
      return JSON.parse(await answer) as TargetState;
    },
    ask(line) {
      const answer = nextLine();
      child.stdin!.write(`${line}\n`);
      return answer;
    },
    send(line) {
      child.stdin!.write(`${line}\n`);
    },
    exited,
  };
}

export function spawnPlain(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: 'ignore' });
  running.push(child);
  return child;
}

export function killAll(): void {
  for (const c of running.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  options: { onStdout?: (text: string) => void; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const env = options.env ? { ...process.env, ...options.env } : undefined;
    const child = spawn(process.execPath, [`${ROOT}bin/heapwatch.js`, ...args], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      options.onStdout?.(stdout);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** State letter from /proc/<pid>/stat (R, S, Z …), or undefined once reaped. */
export function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/** Signals pending for a process (SigPnd | ShdPnd), as a bigint mask. */
export function pendingSignals(pid: number): bigint {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const get = (k: string): bigint => BigInt(`0x${new RegExp(`^${k}:\\s*([0-9a-f]+)`, 'm').exec(text)![1]}`);
  return get('SigPnd') | get('ShdPnd');
}

/** The one line heapwatch prints when it opens an inspector with SIGUSR1 (who can reach it while it is open). */
export const OPENED_NOTICE =
  /^heapwatch: opened the inspector of process \d+ on \S+ \(SIGUSR1\); while it is open any local user can connect to it and run code as that process's user; [^\n]*\n/;

/** stderr without the opened-inspector line, which must be there exactly once at its start. */
export function afterOpenedNotice(stderr: string): string {
  if (!OPENED_NOTICE.test(stderr)) throw new Error(`no opened-inspector line on stderr: ${stderr}`);
  return stderr.replace(OPENED_NOTICE, '');
}
