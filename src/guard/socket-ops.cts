// What the guard does for each request of its socket protocol (node: built-ins only). Every op runs inside the
// server's try/catch: a failure becomes an error answer, never an exception in the app.
import { closeSync, constants, existsSync, fstatSync, openSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import { getHeapSpaceStatistics, getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import { noRoomReason, SNAPSHOT_BYTES_PER_HEAP_BYTE } from './disk-space.cjs';
import { type HeapSampler, openHeapSampler, type ProfileNode } from './heap-sampler.cjs';
import { type GcSubscriber, subscribeGc, takeGcEvents, unsubscribeGc } from './socket-gc-events.cjs';
import {
  type Hello,
  MAX_PROFILE_NODES,
  OPS,
  PROTOCOL_VERSION,
  type Request,
  type SamplingStarted,
  type WireSample,
} from './socket-protocol.cjs';

/** What one client connection holds in the guard. */
export interface ClientState {
  gc: GcSubscriber | null;
  /** The sampling heap profiler this client started or shares; stopped when the connection ends. */
  sampler?: { sampler: HeapSampler; shared: boolean } | null;
}

export function hello(): Hello {
  let argv = process.argv;
  if (argv.join(' ').length > 4096) argv = [argv.join(' ').slice(0, 4096)];
  return {
    protocol: PROTOCOL_VERSION,
    pid: process.pid,
    uid: process.getuid?.() ?? -1,
    node: process.version,
    uptime: process.uptime(),
    argv,
    ops: OPS,
  };
}

export function sample(client: ClientState): WireSample {
  const taken = client.gc ? takeGcEvents(client.gc) : null;
  return {
    t: Date.now(),
    pid: process.pid,
    u: process.uptime(),
    s: getHeapSpaceStatistics(),
    h: getHeapStatistics(),
    m: process.memoryUsage(),
    gc: taken ? taken.events : null,
    ...(taken && taken.dropped > 0 ? { gcDropped: taken.dropped } : {}),
  };
}

export function subscribe(client: ClientState): boolean {
  client.gc ??= subscribeGc();
  return true;
}

export function unsubscribe(client: ClientState): boolean {
  if (client.gc) unsubscribeGc(client.gc);
  client.gc = null;
  return true;
}

/**
 * A full GC, the way the inspector path asks for it (HeapProfiler.collectGarbage), through an in-process inspector
 * session: no port is opened, nothing stays behind (no extra context, no `gc` global).
 */
export function collectGarbage(): Promise<boolean> {
  const { Session } = require('node:inspector') as typeof import('node:inspector'); // loaded only when asked
  const session = new Session();
  session.connect();
  return new Promise((resolve, reject) => {
    session.post('HeapProfiler.collectGarbage', (err) => {
      // disconnecting inside the callback hangs Node 20's in-process session: one turn later
      setImmediate(() => {
        try {
          session.disconnect();
        } catch {}
        if (err) reject(err);
        else resolve(true);
      });
    });
  });
}

/**
 * Writes a heap snapshot into the file the client created for it (exclusively, 0600, empty, in the destination
 * folder). Opened without following a link and checked by device and inode, then written through /proc/self/fd,
 * so the name cannot be swapped between the check and V8's own open.
 */
export function dump(request: Request): { bytes: number } {
  const { path, dev, ino } = request;
  if (typeof path !== 'string' || !isAbsolute(path) || typeof dev !== 'number' || typeof ino !== 'number') {
    throw new Error('dump needs the absolute path, dev and ino of the file to write');
  }
  const fd = openSync(path, constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.dev !== dev || st.ino !== ino || st.size !== 0 || st.nlink !== 1) {
      throw new Error(`${path} is not the empty file heapwatch created`);
    }
    const needed = getHeapStatistics().used_heap_size * SNAPSHOT_BYTES_PER_HEAP_BYTE;
    const noRoom = noRoomReason(dirname(path), needed, 0);
    if (noRoom) throw new Error(`no room for the snapshot: ${noRoom}`);
    const viaFd = `/proc/self/fd/${fd}`;
    writeHeapSnapshot(existsSync(viaFd) ? viaFd : path);
    return { bytes: fstatSync(fd).size };
  } finally {
    closeSync(fd);
  }
}

/** Closes an inspector a killed heapwatch left open (the client found its record); false when none is open. */
export function closeInspector(): boolean {
  const ins = require('node:inspector') as typeof import('node:inspector'); // loaded only when asked
  if (!ins.url()) return false;
  ins.close();
  return true;
}

/** Starts V8's sampling heap profiler for this client (or shares the one already running). */
export function startSampling(client: ClientState, request: Request): SamplingStarted {
  const interval = request.interval;
  if (typeof interval !== 'number' || !Number.isInteger(interval) || interval < 1) {
    throw new Error('start-sampling needs a positive integer interval (bytes)');
  }
  client.sampler ??= openHeapSampler(interval);
  return { shared: client.sampler.shared };
}

/** The live-allocation call tree (the samples are left out: the tree carries the bytes). */
export function samplingProfile(client: ClientState): { head: ProfileNode } {
  if (!client.sampler) throw new Error('sampling is not started on this connection');
  const head = client.sampler.sampler.profile().head;
  let nodes = 0;
  const stack = [head];
  while (stack.length > 0) {
    const n = stack.pop() as ProfileNode;
    if (++nodes > MAX_PROFILE_NODES) {
      throw new Error(`the profile has over ${MAX_PROFILE_NODES} call-tree nodes, too many for the socket`);
    }
    for (const c of n.children) stack.push(c);
  }
  return { head };
}

/** Stops this client's sampling (a shared profiler is left running); true when it had any. */
export function stopSampling(client: ClientState): boolean {
  const had = client.sampler;
  client.sampler = null;
  had?.sampler.stop();
  return had != null;
}
