import { type HeapwatchError, runtimeError } from '../errors.js';
import {
  type AllocationSampling,
  type AllocationSamplingOptions,
  inspectorAllocationSampling,
  socketAllocationSampling,
} from './allocation-sampling.js';
import type { DumpOptions, DumpResult } from './capture.js';
import { findGuardSocket, GuardClient } from './guard-socket.js';
import { forgetOpenedInspector, leftOpenInspector } from './inspector-record.js';
import { type InspectorLocation, parseTarget, type TargetSpec } from './locate.js';
import { readStatus } from './proc.js';
import { type RawSample, type Sampler, sampleOf, startSampler, toGcEvent } from './sampler.js';
import { attach, type Session } from './session.js';
import type { GcEvent } from './types.js';

/**
 * A live process, reached over the guard's Unix socket when it runs heapwatch/register, otherwise over its
 * inspector. Commands work on this and never need to know which.
 */
export interface LiveTarget {
  readonly pid: number;
  readonly via: 'socket' | 'inspector';
  /** The inspector session, when reached over the inspector (for what only the inspector offers). */
  readonly session?: Session;
  /** The pid is a process of this machine (its /proc can be read). */
  readonly local: boolean;
  facts(): Promise<{ version: string; uptime: number }>;
  startSampler(intervalMs: number): Promise<Sampler>;
  collectGarbage(): Promise<void>;
  /**
   * V8's sampling heap profiler (allocation sites of live memory; with `includeCollected` also of what the GC
   * collected since) until stop() or detach.
   */
  startAllocationSampling(intervalBytes: number, options?: AllocationSamplingOptions): Promise<AllocationSampling>;
  dump(options: DumpOptions): Promise<DumpResult & { via: 'socket' | 'inspector' }>;
  /** Resolves with the error that ended the connection (target exited, connection dropped). */
  readonly lost: Promise<HeapwatchError>;
  /** Leaves the target as it was: unsubscribes, removes injected code, closes an inspector heapwatch opened. */
  detach(): Promise<void>;
}

export interface OpenLiveOptions {
  /** Use the inspector even when the target has the guard's socket. */
  inspector?: boolean;
  timeoutMs?: number;
  /** One line for the user (what heapwatch does to the target); the CLI prints it on stderr. */
  notice?: (line: string) => void;
}

function gidOf(pid: number): number {
  try {
    return readStatus(pid).gid;
  } catch {
    return -1;
  }
}

function socketTarget(
  client: GuardClient,
  pid: number,
  uid: number,
  sharesRoot: boolean,
  ops: readonly string[],
): LiveTarget {
  const cleanups: (() => void)[] = [];
  let subscribed = false;
  let detaching: Promise<void> | undefined;
  return {
    pid,
    via: 'socket',
    local: true,
    async facts() {
      const hello = await client.request<{ node: string; uptime: number }>('hello');
      return { version: hello.node, uptime: hello.uptime };
    },
    async startSampler() {
      if (!subscribed) await client.request('subscribe-gc');
      subscribed = true;
      return {
        async sample() {
          // as over the inspector: a target that cannot answer for 30 s is reported, not waited for
          const raw = await client.request<RawSample>('sample', {}, 30_000);
          const events = (raw.gc ?? []).map(toGcEvent).filter((e): e is GcEvent => e !== undefined);
          return sampleOf(raw, events);
        },
        async stop() {
          if (subscribed) await client.request('unsubscribe-gc').catch(() => {});
          subscribed = false;
        },
      };
    },
    async collectGarbage() {
      await client.request('collect-garbage');
    },
    async startAllocationSampling(intervalBytes, options) {
      if (!ops.includes('start-sampling')) {
        throw runtimeError(
          `the guard in process ${pid} is from a heapwatch without sampling over its socket: use --inspector`,
          'UNSUPPORTED',
        );
      }
      return socketAllocationSampling(client, intervalBytes, options);
    },
    async dump(options) {
      const { dumpOverSocket } = await import('./socket-capture.js');
      const result = await dumpOverSocket(client, { pid, uid, gid: gidOf(pid), sharesRoot }, options, (c) =>
        cleanups.push(c),
      );
      return { ...result, via: 'socket' };
    },
    lost: client.lost,
    detach() {
      detaching ??= (async () => {
        for (const c of cleanups.reverse()) c();
        client.close(); // the guard drops this client's GC subscription with the connection
      })();
      return detaching;
    },
  };
}

/** A live target over an inspector session already attached. */
export function inspectorTarget(session: Session): LiveTarget {
  return {
    get pid() {
      return session.pid;
    },
    via: 'inspector',
    session,
    local: session.location.pid !== undefined,
    facts: () =>
      session.evaluate<{ version: string; uptime: number }>('({ version: process.version, uptime: process.uptime() })'),
    startSampler: (intervalMs) => startSampler(session, { intervalMs }),
    async collectGarbage() {
      await (await import('./capture.js')).collectGarbage(session);
    },
    startAllocationSampling: (intervalBytes, options) => inspectorAllocationSampling(session, intervalBytes, options),
    async dump(options) {
      const { dumpHeap } = await import('./capture.js');
      return { ...(await dumpHeap(session, options)), via: 'inspector' };
    },
    lost: session.lost,
    detach: () => session.detach(),
  };
}

/** The guard's socket of a pid target, connected; undefined when it has none. */
async function viaSocket(spec: TargetSpec, options: OpenLiveOptions): Promise<LiveTarget | undefined> {
  if (spec.kind !== 'pid') return undefined;
  let uid: number;
  try {
    uid = readStatus(spec.pid).uid;
  } catch {
    return undefined; // the inspector path reports a missing process its own way
  }
  const found = findGuardSocket(spec.pid, uid);
  if (!found) return undefined;
  const { client, hello } = await GuardClient.connect(found.path, spec.pid, options.timeoutMs ?? 10_000);
  const sharesRoot = found.path === found.bound;
  if (sharesRoot && hello.pid !== spec.pid) {
    client.close();
    return undefined; // not the process we asked for (its socket was swapped): use the inspector path's checks
  }
  // An inspector a killed heapwatch opened in this process: the guard closes it now.
  if (leftOpenInspector(spec.pid)) {
    const closed = await client.request<boolean>('close-inspector').catch(() => false);
    forgetOpenedInspector(spec.pid);
    if (closed) options.notice?.(`closed the inspector an earlier heapwatch opened in process ${spec.pid}`);
  }
  return socketTarget(client, spec.pid, uid, sharesRoot, hello.ops);
}

/** What the user is told when heapwatch opened a process's inspector (SIGUSR1): who can reach it meanwhile. */
export function openedInspectorNotice(location: InspectorLocation): string {
  return (
    `opened the inspector of process ${location.pid} on ${location.host}:${location.port} (SIGUSR1); while it is ` +
    "open any local user can connect to it and run code as that process's user; heapwatch closes it when it " +
    'is done (a process started with heapwatch/register needs no inspector)'
  );
}

/** Opens a live target: the guard's socket first, else (or with `inspector`) the inspector. */
export async function openLive(target: string | TargetSpec, options: OpenLiveOptions = {}): Promise<LiveTarget> {
  const spec = typeof target === 'string' ? parseTarget(target) : target;
  if (!options.inspector) {
    const socket = await viaSocket(spec, options);
    if (socket) return socket;
  }
  const session = await attach(spec, {
    timeoutMs: options.timeoutMs,
    onLocated: (location) => {
      if (location.openedByUs) options.notice?.(openedInspectorNotice(location));
    },
  });
  return inspectorTarget(session);
}

/**
 * openLive → fn(target) → detach, whatever happens: Ctrl-C / SIGTERM / SIGHUP detach before exiting, and the target
 * going away while fn waits rejects with the error that says so.
 */
export async function withLive<T>(
  target: string | TargetSpec,
  options: OpenLiveOptions,
  fn: (live: LiveTarget) => Promise<T>,
): Promise<T> {
  const live = await openLive(target, options);
  let interrupted = false;
  const removeSignals = detachLiveOnSignals(live, () => {
    interrupted = true;
  });
  try {
    return await Promise.race([fn(live), live.lost.then((err) => Promise.reject(err))]);
  } catch (err) {
    if (interrupted) await new Promise(() => {}); // the signal handler exits once detached
    throw err;
  } finally {
    removeSignals();
    await live.detach();
  }
}

/**
 * Until the returned function is called, SIGINT / SIGTERM / SIGHUP (each once) detach `live` and exit 130 / 143;
 * `signals` narrows which (a caller that handles Ctrl-C itself leaves SIGINT out).
 */
export function detachLiveOnSignals(
  live: LiveTarget,
  onSignal?: (signal: NodeJS.Signals) => void,
  signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'],
): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    onSignal?.(signal);
    live.detach().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  for (const s of signals) process.once(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}
