// The guard's live-view socket: a Unix domain socket `<pid>.sock` in the user's private runtime folder (0700,
// checked with lstat), itself 0600, so only this user and root can connect (Node has no SO_PEERCRED; the folder is
// the lock). Unref'd: it never keeps the app alive, and costs nothing until a client connects (no timers).
import { chmodSync, lstatSync, readdirSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { ensureRuntimeDir, SOCKET_NAME, socketName } from './runtime-dir.cjs';
import * as ops from './socket-ops.cjs';
import {
  type Answer,
  MAX_CLIENTS,
  MAX_REQUEST_BYTES,
  OPS,
  PROTOCOL_VERSION,
  type Request,
} from './socket-protocol.cjs';

export interface GuardSocket {
  readonly path: string;
  /** Stops listening and removes the socket file if it is still ours. */
  close(): void;
}

/** Longest path a Unix socket address holds on Linux (sun_path is 108 bytes with the terminating NUL). */
const MAX_SOCKET_PATH = 107;

function run(request: Request, client: ops.ClientState): unknown {
  switch (request.op) {
    case 'hello':
      return ops.hello();
    case 'sample':
      return ops.sample(client);
    case 'subscribe-gc':
      return ops.subscribe(client);
    case 'unsubscribe-gc':
      return ops.unsubscribe(client);
    case 'collect-garbage':
      return ops.collectGarbage();
    case 'dump':
      return ops.dump(request);
    case 'close-inspector':
      return ops.closeInspector();
    case 'start-sampling':
      return ops.startSampling(client, request);
    case 'sampling-profile':
      return ops.samplingProfile(client, request);
    case 'stop-sampling':
      return ops.stopSampling(client);
  }
}

async function answerTo(line: string, client: ops.ClientState): Promise<Answer> {
  let request: Request;
  try {
    request = JSON.parse(line) as Request;
  } catch {
    return { v: PROTOCOL_VERSION, id: -1, ok: false, error: 'not a JSON line' };
  }
  const id = typeof request?.id === 'number' ? request.id : -1;
  if (request?.v !== PROTOCOL_VERSION) {
    return { v: PROTOCOL_VERSION, id, ok: false, error: `protocol ${request?.v} not spoken; this guard speaks 1` };
  }
  if (!OPS.includes(request.op)) return { v: PROTOCOL_VERSION, id, ok: false, error: `unknown op ${request.op}` };
  try {
    return { v: PROTOCOL_VERSION, id, ok: true, result: await run(request, client) };
  } catch (err) {
    return { v: PROTOCOL_VERSION, id, ok: false, error: String((err as Error)?.message ?? err) };
  }
}

function serve(socket: Socket): void {
  const client: ops.ClientState = { gc: null };
  let buffered = '';
  let answered: Promise<void> = Promise.resolve(); // answers go out in the order of the requests
  socket.unref(); // a connected heapwatch never keeps the app from exiting
  socket.setEncoding('utf8');
  socket.on('error', () => {});
  socket.on('close', () => {
    try {
      ops.unsubscribe(client);
    } catch {}
    try {
      ops.stopSampling(client); // a client that vanished never leaves the app sampling
    } catch {}
  });
  socket.on('data', (chunk: string) => {
    try {
      buffered += chunk;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.trim() === '') continue;
        answered = answered
          .then(() => answerTo(line, client))
          .then((answer) => {
            if (!socket.destroyed) socket.write(`${JSON.stringify(answer)}\n`);
          })
          .catch(() => {
            socket.destroy();
          });
      }
      if (buffered.length > MAX_REQUEST_BYTES) socket.destroy();
    } catch {
      socket.destroy();
    }
  });
}

/** Unlinks `path` if it is a socket nobody listens on (asynchronously, never keeping the app alive). */
function unlinkIfStale(path: string, then?: () => void, busy?: () => void): void {
  const probe = createConnection(path);
  probe.unref();
  probe.on('connect', () => {
    probe.destroy();
    busy?.();
  });
  probe.on('error', (e: NodeJS.ErrnoException) => {
    try {
      if (e.code === 'ECONNREFUSED' && lstatSync(path).isSocket()) unlinkSync(path);
    } catch {}
    then?.();
  });
}

/** Sockets of processes that died without their exit handler (SIGTERM, SIGKILL): removed at the next start. */
function removeStaleSockets(dir: string): void {
  for (const name of readdirSync(dir)) {
    const pid = Number(SOCKET_NAME.exec(name)?.[1] ?? 0);
    if (pid <= 0 || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') unlinkIfStale(join(dir, name));
    }
  }
}

/** Starts the socket; null (and one line through `say`) when it cannot be made safely. */
export function startGuardSocket(say: (message: string) => void): GuardSocket | null {
  let dir: string;
  try {
    dir = ensureRuntimeDir();
  } catch (err) {
    say(`live socket off: ${(err as Error).message}`);
    return null;
  }
  const path = join(dir, socketName(process.pid));
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
    say(`live socket off: ${path} is too long for a Unix socket`);
    return null;
  }
  let boundIno = -1;
  let closed = false;
  const server = createServer((socket) => {
    try {
      serve(socket);
    } catch {
      socket.destroy();
    }
  });
  server.maxConnections = MAX_CLIENTS;
  server.unref();
  server.on('listening', () => {
    try {
      chmodSync(path, 0o600);
      boundIno = lstatSync(path).ino;
    } catch (err) {
      say(`live socket off: ${(err as Error).message}`);
      server.close();
    }
  });
  let retried = false;
  server.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EADDRINUSE' || retried || closed) {
      say(`live socket off: ${err.message}`);
      return;
    }
    retried = true;
    // Left by a dead process with our pid (pid reuse; an app that is always pid 1 in its container). The folder
    // is ours alone, so only this user or root made it: if nobody answers on it, it is stale.
    unlinkIfStale(
      path,
      () => {
        if (!closed) server.listen(path);
      },
      () => say(`live socket off: another process listens at ${path}`),
    );
  });
  server.listen(path);
  try {
    removeStaleSockets(dir);
  } catch {}
  return {
    path,
    close() {
      closed = true;
      try {
        server.close();
      } catch {}
      try {
        if (boundIno >= 0 && lstatSync(path).ino === boundIno) unlinkSync(path);
      } catch {}
    },
  };
}
