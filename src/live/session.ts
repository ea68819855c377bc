import { readFileSync } from 'node:fs';
import type CDP from 'chrome-remote-interface';
import { HeapwatchError, runtimeError, usageError } from '../errors.js';
import { forgetOpenedInspector } from './inspector-record.js';
import { type InspectorLocation, type LocateOptions, locate, type TargetSpec } from './locate.js';
import { isLoopbackAddress } from './proc.js';

/** An open inspector connection to one Node process. Never sends Runtime.enable (it forwards the target's console). */
export interface Session {
  readonly pid: number;
  readonly location: InspectorLocation;
  readonly client: CDP.Client;
  /** True while connected and not detached. */
  readonly attached: boolean;
  /** True while the connection is open (still true while detach runs its cleanups). */
  readonly connected: boolean;
  /** Evaluates an expression in the target and returns its value (returnByValue). */
  evaluate<T>(expression: string, options?: { timeoutMs?: number }): Promise<T>;
  /** Sends a raw protocol command, mapping a lost connection to a clear error. */
  send<T>(method: string, params?: object, options?: { timeoutMs?: number }): Promise<T>;
  /** Registers a cleanup run on detach (last registered runs first), e.g. removing an injected observer. */
  onDetach(cleanup: () => Promise<void> | void): void;
  /** Resolves with the error that ended the session when the target exits or closes the connection. */
  readonly lost: Promise<HeapwatchError>;
  /** Runs cleanups, closes the inspector if heapwatch opened it, disconnects. Idempotent. */
  detach(): Promise<void>;
}

export interface AttachOptions extends LocateOptions {
  /** Called with the location before connecting (e.g. to report that SIGUSR1 opened an inspector). */
  onLocated?: (location: InspectorLocation) => void;
}

interface EvaluateResult {
  result: { value?: unknown; description?: string };
  exceptionDetails?: { text: string; exception?: { description?: string } };
}

const CLOSE_INSPECTOR = `(() => { const i = process.getBuiltinModule ? process.getBuiltinModule('inspector') : require('inspector'); i.close(); return true; })()`;

/**
 * Our expressions reach Node's modules through process.getBuiltinModule (Node >= 20.16, 22.3), and only on older
 * targets through the `require` of the inspector's command-line API. That API is asked for only when needed: on
 * Node 20, an evaluate that installs it and reaches the target while it tears down its environment at exit
 * crashes it with SIGSEGV (V8Console::CommandLineAPIScope calls into JavaScript when no JavaScript may run).
 */
/**
 * What the inspector answers once the target's JavaScript context is gone: a process that ended normally and
 * waits for attached debuggers before it exits ("Waiting for the debugger to disconnect...").
 */
const CONTEXT_GONE = /Cannot find context with specified id|Execution context was destroyed/;

const HAS_BUILTIN_MODULE = `typeof process === 'object' && typeof process.getBuiltinModule === 'function'`;

/** Alive and not a zombie (a killed child stays in /proc until its parent reaps it). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number | undefined, what: string): Promise<T> {
  if (!ms) return promise;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(runtimeError(`timed out after ${ms} ms waiting for ${what}`, 'TIMEOUT')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Asks the target to close its inspector; the dropped socket is the expected answer. */
async function closeInspector(client: CDP.Client, commandLineApi: boolean): Promise<void> {
  try {
    await withTimeout(
      client.send('Runtime.evaluate', { expression: CLOSE_INSPECTOR, includeCommandLineAPI: commandLineApi }),
      2000,
      'the inspector to close',
    );
  } catch {}
}

/** Connects to a pid, host:port or ws:// target, checks it is loopback-only, and confirms the pid over the wire. */
export async function attach(target: string | TargetSpec, options: AttachOptions = {}): Promise<Session> {
  const location = await locate(target, options);
  options.onLocated?.(location);
  if (location.boundAddress && !isLoopbackAddress(location.boundAddress) && !location.openedByUs) {
    throw usageError(
      `refusing the inspector of process ${location.pid}: it listens on ${location.boundAddress}, reachable from the network; ` +
        'heapwatch only uses inspectors bound to loopback',
      'NOT_LOOPBACK',
    );
  }
  const { default: CDPConnect } = await import('chrome-remote-interface');
  let client: CDP.Client;
  try {
    client = await withTimeout(
      CDPConnect({ target: location.wsUrl, local: true }),
      options.timeoutMs ?? 10_000,
      'the inspector to accept the connection',
    );
  } catch (err) {
    if (err instanceof HeapwatchError) throw err;
    throw runtimeError(`cannot connect to the inspector at ${location.wsUrl}: ${(err as Error).message}`, 'CONNECT');
  }

  let detached = false;
  let connected = true;
  let resolveLost!: (e: HeapwatchError) => void;
  const lost = new Promise<HeapwatchError>((r) => {
    resolveLost = r;
  });
  const cleanups: (() => Promise<void> | void)[] = [];
  let pid = location.pid ?? 0;
  // until attach has asked the target: a Node without process.getBuiltinModule needs the command-line API's require
  let commandLineApi = true;

  const who = (): string => (pid ? `process ${pid}` : `the target at ${location.host}:${location.port}`);
  const exitedError = (): HeapwatchError =>
    runtimeError(`${who()} exited while heapwatch was attached`, 'TARGET_EXITED');
  const lostError = (): HeapwatchError => {
    if (pid && !isAlive(pid)) return exitedError();
    return runtimeError(`${who()} closed the inspector connection while heapwatch was attached`, 'TARGET_EXITED');
  };

  client.on('disconnect', () => {
    connected = false;
    if (detached) return;
    // The socket can close a moment before the kernel reports the process dead: give it 300 ms to be sure.
    const until = Date.now() + 300;
    const decide = (): void => {
      if (pid && isAlive(pid) && Date.now() < until) setTimeout(decide, 20);
      else resolveLost(lostError());
    };
    decide();
  });

  const rawSend = client.send.bind(client) as unknown as (method: string, params?: object) => Promise<unknown>;
  const send = async <T>(method: string, params?: object, opts?: { timeoutMs?: number }): Promise<T> => {
    if (!connected) throw detached ? lostError() : await lost;
    try {
      return (await withTimeout(rawSend(method, params), opts?.timeoutMs, method)) as T;
    } catch (err) {
      if (err instanceof HeapwatchError) throw err;
      if (!connected) throw detached ? lostError() : await lost;
      const message = (err as { response?: { message?: string } }).response?.message ?? (err as Error).message;
      if (CONTEXT_GONE.test(message)) throw exitedError();
      throw runtimeError(`${method} failed in the target: ${message}`, 'PROTOCOL');
    }
  };

  const evaluate = async <T>(expression: string, opts?: { timeoutMs?: number }): Promise<T> => {
    const r = await send<EvaluateResult>(
      'Runtime.evaluate',
      { expression, returnByValue: true, includeCommandLineAPI: commandLineApi, silent: true, awaitPromise: false },
      opts,
    );
    if (r.exceptionDetails) {
      const text = r.exceptionDetails.exception?.description?.split('\n')[0] ?? r.exceptionDetails.text;
      throw runtimeError(`evaluation failed in the target: ${text}`, 'EVALUATE');
    }
    return r.result.value as T;
  };

  let detaching: Promise<void> | undefined;
  // Every caller waits for the same detach (e.g. the Ctrl-C handler and a command's finally).
  const detach = (): Promise<void> => {
    detaching ??= runDetach();
    return detaching;
  };
  const runDetach = async (): Promise<void> => {
    detached = true;
    try {
      for (const cleanup of cleanups.reverse()) {
        try {
          await withTimeout(Promise.resolve(cleanup()), 5000, 'cleanup in the target');
        } catch {}
      }
      if (connected && location.openedByUs) {
        await closeInspector(client, commandLineApi);
        if (location.pid !== undefined) forgetOpenedInspector(location.pid);
      }
    } finally {
      try {
        await client.close();
      } catch {}
      connected = false;
    }
  };

  const session: Session = {
    get pid() {
      return pid;
    },
    location,
    client,
    get attached() {
      return connected && !detached;
    },
    get connected() {
      return connected;
    },
    evaluate,
    send,
    onDetach(cleanup) {
      cleanups.push(cleanup);
    },
    lost,
    detach,
  };

  try {
    commandLineApi = false;
    commandLineApi = !(await evaluate<boolean>(HAS_BUILTIN_MODULE, { timeoutMs: options.timeoutMs ?? 10_000 }));
    const info = await evaluate<{ pid: number; url: string | undefined } | null>(
      `(() => { if (typeof process !== 'object' || !process.versions || !process.versions.node) return null; const i = process.getBuiltinModule ? process.getBuiltinModule('inspector') : require('inspector'); return { pid: process.pid, url: i.url() }; })()`,
      { timeoutMs: options.timeoutMs ?? 10_000 },
    );
    if (info === null) {
      throw usageError(`the inspector at ${location.host}:${location.port} is not a Node.js process`, 'NOT_NODE');
    }
    if (location.pid !== undefined && info.pid !== location.pid) {
      throw runtimeError(
        `the inspector at ${location.host}:${location.port} belongs to process ${info.pid}, not ${location.pid}`,
        'PID_MISMATCH',
      );
    }
    pid = info.pid;
    // The address the inspector was told to bind to, as the target itself reports it.
    const boundHost = info.url ? new URL(info.url).hostname.replace(/^\[|\]$/g, '') : undefined;
    const bound = location.boundAddress ?? boundHost;
    const exposed = [location.boundAddress, boundHost].some(
      (a) => a !== undefined && !isLoopbackAddress(a) && a !== 'localhost',
    );
    if (exposed) {
      throw usageError(
        `refusing the inspector of process ${pid}: it listens on ${bound}, reachable from the network; ` +
          'heapwatch only uses inspectors bound to loopback' +
          (location.openedByUs ? ' (heapwatch opened it and has closed it again)' : ''),
        'NOT_LOOPBACK',
      );
    }
  } catch (err) {
    await detach();
    throw err;
  }
  return session;
}

/**
 * Detaches on Ctrl-C / SIGTERM before exiting, so the target is left as we found it.
 * Returns a function that removes the handlers.
 */
export function detachOnSignals(session: Session, onSignal?: (signal: NodeJS.Signals) => void): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    onSignal?.(signal);
    const code = signal === 'SIGINT' ? 130 : 143;
    session.detach().finally(() => process.exit(code));
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  process.once('SIGHUP', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    process.off('SIGHUP', handler);
  };
}

/**
 * attach → fn(session) → detach, whatever happens: Ctrl-C, an error, or the target going away while fn waits
 * (then the error says so). For commands: `await withSession(target, opts, async (s) => …)`.
 */
export async function withSession<T>(
  target: string | TargetSpec,
  options: AttachOptions,
  fn: (session: Session) => Promise<T>,
): Promise<T> {
  const session = await attach(target, options);
  let interrupted = false;
  const removeSignals = detachOnSignals(session, () => {
    interrupted = true;
  });
  try {
    return await Promise.race([fn(session), session.lost.then((err) => Promise.reject(err))]);
  } catch (err) {
    // Ctrl-C: fn fails because the session is going away; the signal handler exits once detached.
    if (interrupted) await new Promise(() => {});
    throw err;
  } finally {
    removeSignals();
    await session.detach();
  }
}
