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
  MAX_PROFILE_SAMPLES,
  OPS,
  PROTOCOL_VERSION,
  type Request,
  type SamplingProfileAnswer,
  type SamplingStarted,
  type WireSample,
} from './socket-protocol.cjs';

/** What one client connection holds in the guard. */
export interface ClientState {
  gc: GcSubscriber | null;
  /** The sampling heap profiler this client started or shares; stopped when the connection ends. */
  sampler?: { sampler: HeapSampler; shared: boolean; collected: boolean } | null;
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
  const collected = request.collected === true;
  if (request.collected !== undefined && typeof request.collected !== 'boolean') {
    throw new Error('start-sampling: collected must be true or false');
  }
  if (client.sampler && client.sampler.collected !== collected) {
    throw new Error('sampling already started on this connection with another collected setting');
  }
  client.sampler ??= { ...openHeapSampler(interval, collected), collected };
  return { shared: client.sampler.shared, collected };
}

/**
 * The live-allocation call tree; with `samples`, also the samples (one per sampled object: their counts per site),
 * flattened. Refused beyond MAX_PROFILE_NODES nodes or MAX_PROFILE_SAMPLES samples, to keep the answer bounded.
 */
export function samplingProfile(client: ClientState, request: Request): SamplingProfileAnswer<ProfileNode> {
  if (!client.sampler) throw new Error('sampling is not started on this connection');
  const { head, samples } = client.sampler.sampler.profile();
  let nodes = 0;
  const stack = [head];
  while (stack.length > 0) {
    const n = stack.pop() as ProfileNode;
    if (++nodes > MAX_PROFILE_NODES) {
      throw new Error(`the profile has over ${MAX_PROFILE_NODES} call-tree nodes, too many for the socket`);
    }
    for (const c of n.children) stack.push(c);
  }
  if (request.samples !== true) return { head };
  const all = samples ?? [];
  if (all.length > MAX_PROFILE_SAMPLES) {
    throw new Error(`the profile has over ${MAX_PROFILE_SAMPLES} samples, too many for the socket`);
  }
  const flat = new Array<number>(all.length * 3);
  for (let i = 0; i < all.length; i++) {
    flat[i * 3] = all[i].size;
    flat[i * 3 + 1] = all[i].nodeId;
    flat[i * 3 + 2] = all[i].ordinal;
  }
  return { head, samples: flat };
}

/** Stops this client's sampling (a shared profiler is left running); true when it had any. */
export function stopSampling(client: ClientState): boolean {
  const had = client.sampler;
  client.sampler = null;
  had?.sampler.stop();
  return had != null;
}
