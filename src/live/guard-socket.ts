import { lstatSync, readFileSync, statSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { type HeapwatchError, runtimeError } from '../errors.js';
import { SOCKET_NAME } from '../guard/runtime-dir.cjs';
import {
  type Answer,
  type Hello,
  MAX_ANSWER_BYTES,
  type Op,
  PROTOCOL_VERSION,
  type Request,
} from '../guard/socket-protocol.cjs';
import { socketInodes } from './proc.js';

/** The guard's socket of a process: where it is bound, and the path this process reaches it by. */
export interface GuardSocketLocation {
  /** The address the target bound (in its own mount namespace). */
  bound: string;
  /** What to connect to from here: the same path, or through /proc/<pid>/root for a target in a container. */
  path: string;
}

const UNIX_LISTENING = 0x10000; // __SO_ACCEPTCON in /proc/net/unix's Flags column

/** Unix sockets `pid` listens on, with the path each was bound to (from /proc/<pid>/net/unix and its fds). */
function listeningUnixPaths(pid: number): string[] {
  const mine = socketInodes(pid);
  const paths: string[] = [];
  for (const line of readFileSync(`/proc/${pid}/net/unix`, 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 8 || !mine.has(Number(cols[6]))) continue;
    if ((Number.parseInt(cols[3], 16) & UNIX_LISTENING) === 0) continue;
    paths.push(cols.slice(7).join(' '));
  }
  return paths;
}

/** True when `pid` sees the same root folder as we do (not in another mount namespace or chroot). */
function sharesRoot(pid: number): boolean {
  try {
    const theirs = statSync(`/proc/${pid}/root/`);
    const ours = statSync('/');
    return theirs.dev === ours.dev && theirs.ino === ours.ino;
  } catch {
    return true;
  }
}

/**
 * The guard's socket of `pid`, or undefined when it has none. Found from what the process itself listens on, so
 * nothing depends on its environment; checked before use: a socket of its uid, in a folder of its uid that is a
 * real folder with mode 0700.
 */
export function findGuardSocket(pid: number, uid: number): GuardSocketLocation | undefined {
  let bound: string | undefined;
  try {
    bound = listeningUnixPaths(pid).find((p) => p.startsWith('/') && SOCKET_NAME.test(p.slice(p.lastIndexOf('/') + 1)));
  } catch {
    return undefined; // gone, or not ours to read
  }
  if (!bound) return undefined;
  const path = sharesRoot(pid) ? bound : `/proc/${pid}/root${bound}`;
  try {
    const dir = lstatSync(dirname(path));
    const sock = lstatSync(path);
    if (!dir.isDirectory() || dir.uid !== uid || (dir.mode & 0o077) !== 0) return undefined;
    if (!sock.isSocket() || sock.uid !== uid) return undefined;
  } catch {
    return undefined;
  }
  return { bound, path };
}

/** One connection to a guard: requests answered in order, one JSON line each (protocol in socket-protocol.cts). */
export class GuardClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (a: Answer) => void; reject: (e: Error) => void }>();
  private buffered = '';
  private closing = false;
  /** Resolves with the reason once the connection ends without close() being called. */
  readonly lost: Promise<HeapwatchError>;
  private resolveLost!: (e: HeapwatchError) => void;

  private constructor(
    private readonly socket: Socket,
    readonly pid: number,
  ) {
    this.lost = new Promise((r) => {
      this.resolveLost = r;
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      const err = runtimeError(`process ${pid} exited while heapwatch was attached`, 'TARGET_EXITED');
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      if (!this.closing) this.resolveLost(err);
    });
  }

  /** Connects to the guard's socket at `path` and says hello; the guard must report `pid` as its own. */
  static async connect(path: string, pid: number, timeoutMs: number): Promise<{ client: GuardClient; hello: Hello }> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = createConnection(path);
      const timer = setTimeout(() => {
        s.destroy();
        reject(runtimeError(`timed out after ${timeoutMs} ms connecting to the guard of process ${pid}`, 'TIMEOUT'));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const why =
          err.code === 'EACCES'
            ? 'permission denied (only its own user and root may connect)'
            : (err.message ?? String(err));
        reject(runtimeError(`cannot connect to the guard of process ${pid} at ${path}: ${why}`, 'CONNECT'));
      });
    });
    const client = new GuardClient(socket, pid);
    try {
      const hello = await client.request<Hello>('hello', {}, timeoutMs);
      if (hello.protocol !== PROTOCOL_VERSION) {
        throw runtimeError(`the guard of process ${pid} speaks protocol ${hello.protocol}, not ${PROTOCOL_VERSION}`);
      }
      return { client, hello };
    } catch (err) {
      client.close();
      throw err;
    }
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    for (let nl = this.buffered.indexOf('\n'); nl >= 0; nl = this.buffered.indexOf('\n')) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      let answer: Answer;
      try {
        answer = JSON.parse(line) as Answer;
      } catch {
        this.fail('an answer that is not JSON');
        return;
      }
      const waiting = this.pending.get(answer.id);
      if (answer.v !== PROTOCOL_VERSION || !waiting) {
        this.fail(`an answer heapwatch did not ask for (v ${answer.v}, id ${answer.id})`);
        return;
      }
      this.pending.delete(answer.id);
      waiting.resolve(answer);
    }
    if (this.buffered.length > MAX_ANSWER_BYTES) this.fail(`an answer over ${MAX_ANSWER_BYTES} bytes`);
  }

  private fail(what: string): void {
    const err = runtimeError(`the guard of process ${this.pid} sent ${what}`, 'PROTOCOL');
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.resolveLost(err);
    this.socket.destroy();
  }

  /** Sends one request and waits for its answer; an error answer rejects with the guard's message. */
  async request<T>(op: Op, extra: Partial<Request> = {}, timeoutMs?: number): Promise<T> {
    if (this.socket.destroyed) throw await this.lost;
    const id = this.nextId++;
    let timer: NodeJS.Timeout | undefined;
    const answer = await new Promise<Answer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.write(`${JSON.stringify({ ...extra, v: PROTOCOL_VERSION, id, op })}\n`);
      if (timeoutMs) {
        timer = setTimeout(() => {
          this.pending.delete(id);
          reject(
            runtimeError(`timed out after ${timeoutMs} ms waiting for the guard of process ${this.pid}`, 'TIMEOUT'),
          );
        }, timeoutMs);
      }
    }).finally(() => clearTimeout(timer));
    if (!answer.ok) throw runtimeError(`the guard of process ${this.pid}: ${answer.error}`, 'GUARD');
    return answer.result as T;
  }

  close(): void {
    this.closing = true;
    this.socket.destroy();
  }
}
