import { lookup } from 'node:dns/promises';
import { readdirSync, readlinkSync } from 'node:fs';
import { get } from 'node:http';
import { type HeapwatchError, runtimeError, usageError } from '../errors.js';
import { leftOpenInspector, rememberOpenedInspector } from './inspector-record.js';
import { isNodeExecutable } from './node-executable.js';
import {
  handlesSigusr1,
  isGone,
  isLoopbackAddress,
  isNodeProcess,
  type ListeningSocket,
  listeningSockets,
  processListeningSockets,
  readCmdline,
  readNodeOptions,
  readStatus,
} from './proc.js';

/** Where to connect, and what heapwatch did to get there. */
export interface InspectorLocation {
  /** ws:// URL to connect to; its host is the one we checked, never one reported by the target. */
  wsUrl: string;
  host: string;
  port: number;
  /** The pid we were asked for; for host:port and ws:// targets it is learned on connect. */
  pid?: number;
  /** True when heapwatch sent SIGUSR1: then it must close the inspector again on detach. */
  openedByUs: boolean;
  /** Address the inspector socket is bound to, when known from /proc; non-loopback means refuse. */
  boundAddress?: string;
}

export type TargetSpec =
  | { kind: 'pid'; pid: number }
  | { kind: 'hostport'; host: string; port: number }
  | { kind: 'ws'; url: URL };

export interface LocateOptions {
  /** How long to wait for the inspector to appear after SIGUSR1 (ms). */
  timeoutMs?: number;
}

const DEFAULT_INSPECTOR_PORT = 9229;

/** `1234` → pid, `host:port` / `[::1]:port` → address, `ws://…` → inspector URL. */
export function parseTarget(text: string): TargetSpec {
  const t = text.trim();
  if (/^\d+$/.test(t)) {
    const pid = Number(t);
    if (pid <= 0) throw usageError(`not a valid pid: ${text}`, 'BAD_TARGET');
    return { kind: 'pid', pid };
  }
  if (/^wss?:\/\//i.test(t)) {
    let url: URL;
    try {
      url = new URL(t);
    } catch {
      throw usageError(`not a valid inspector URL: ${text}`, 'BAD_TARGET');
    }
    return { kind: 'ws', url };
  }
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s/]+)):(\d{1,5})$/.exec(t);
  if (m && Number(m[3]) > 0 && Number(m[3]) < 65536) {
    return { kind: 'hostport', host: m[1] ?? m[2], port: Number(m[3]) };
  }
  throw usageError(`target must be a pid, host:port or ws:// URL, got: ${text}`, 'BAD_TARGET');
}

/** Refuses any host that is not (or does not resolve only to) a loopback address. */
async function assertLoopbackHost(host: string): Promise<void> {
  const bare = host.replace(/^\[|\]$/g, '');
  if (isLoopbackAddress(bare)) return;
  let addresses: { address: string }[];
  try {
    addresses = await lookup(bare, { all: true });
  } catch {
    throw usageError(`cannot resolve inspector host ${host}`, 'BAD_TARGET');
  }
  if (addresses.length === 0 || !addresses.every((a) => isLoopbackAddress(a.address))) {
    throw usageError(
      `refusing inspector at ${host}: heapwatch only uses the inspector on loopback (127.0.0.1, ::1)`,
      'NOT_LOOPBACK',
    );
  }
}

interface InspectorTargetInfo {
  id: string;
  webSocketDebuggerUrl?: string;
}

/** GET http://host:port/path and parse JSON; undefined when it is not an inspector answering in time. */
function getJson(host: string, port: number, path: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve) => {
    const req = get({ host: host.replace(/^\[|\]$/g, ''), port, path, timeout: timeoutMs }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        resolve(undefined);
        return;
      }
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
        if (body.length > 1 << 20) req.destroy(); // an inspector's list is small
      });
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch {
          resolve(undefined);
        }
      });
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** Asks /json/list for the inspector's websocket; returns a URL on `host`, whatever host the target reports. */
export async function inspectorUrlAt(host: string, port: number, timeoutMs = 1000): Promise<string | undefined> {
  const list = await getJson(host, port, '/json/list', timeoutMs);
  if (!Array.isArray(list)) return undefined;
  const entry = (list as InspectorTargetInfo[]).find((t) => typeof t?.webSocketDebuggerUrl === 'string');
  if (!entry?.webSocketDebuggerUrl) return undefined;
  const reported = new URL(entry.webSocketDebuggerUrl);
  return `ws://${formatHost(host)}:${port}${reported.pathname}`;
}

/** Where to connect to reach a socket bound to `address` from this machine. */
function connectHostFor(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::' || address === '::ffff:0.0.0.0') return '::1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** Ports named by --inspect* options on the command line or in NODE_OPTIONS (0 = any port). */
export function configuredInspectorPorts(argv: string[], nodeOptions: string): number[] {
  const ports: number[] = [];
  const words = [...argv, ...nodeOptions.split(/\s+/)];
  for (let i = 0; i < words.length; i++) {
    const m = /^--inspect(?:-brk|-wait|-port)?(?:=(.*))?$/.exec(words[i]);
    if (!m) continue;
    if (words[i] === '--') break;
    const value = m[1] ?? (words[i] === '--inspect-port' ? words[i + 1] : undefined);
    if (value === undefined) {
      ports.push(DEFAULT_INSPECTOR_PORT);
      continue;
    }
    const portText = value.includes(':') ? value.slice(value.lastIndexOf(':') + 1) : value;
    ports.push(/^\d+$/.test(portText) ? Number(portText) : DEFAULT_INSPECTOR_PORT);
  }
  return ports.length > 0 ? ports : [DEFAULT_INSPECTOR_PORT];
}

/** --inspect, --inspect-brk or --inspect-wait: the inspector opens at start (--inspect-port alone only configures it). */
export function opensAtStart(argv: string[], nodeOptions: string): boolean {
  return [...argv, ...nodeOptions.split(/\s+/)].some((w) => /^--inspect(?:-brk|-wait)?(?:=|$)/.test(w));
}

async function probeSockets(sockets: ListeningSocket[]): Promise<{ url: string; socket: ListeningSocket } | undefined> {
  for (const socket of sockets) {
    const url = await inspectorUrlAt(connectHostFor(socket.address), socket.port);
    if (url) return { url, socket };
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid holding a socket inode, searched among the processes we may read; undefined when hidden. */
function ownerOfInode(inode: number): number | undefined {
  for (const dir of readdirSync('/proc')) {
    if (!/^\d+$/.test(dir)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${dir}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${dir}/fd/${fd}`) === `socket:[${inode}]`) return Number(dir);
      } catch {}
    }
  }
  return undefined;
}

function noSuchPid(pid: number): HeapwatchError {
  return usageError(`no such process: ${pid}`, 'NO_SUCH_PID');
}

function location(pid: number, found: { url: string; socket: ListeningSocket }, openedByUs: boolean) {
  const url = new URL(found.url);
  return {
    wsUrl: found.url,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: found.socket.port,
    pid,
    openedByUs,
    boundAddress: found.socket.address,
  } satisfies InspectorLocation;
}

/**
 * pid → inspector: use an inspector that is already open; otherwise check the process handles SIGUSR1
 * (an unhandled SIGUSR1 kills it), send it, and find the new listening socket through /proc.
 */
export async function locatePid(pid: number, options: LocateOptions = {}): Promise<InspectorLocation> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (pid === process.pid) throw usageError('heapwatch cannot attach to itself', 'BAD_TARGET');
  let status: ReturnType<typeof readStatus>;
  try {
    status = readStatus(pid);
  } catch (err) {
    if (isGone(err)) throw noSuchPid(pid);
    throw err;
  }
  let ports: number[];
  let before: ListeningSocket[];
  try {
    if (!isNodeProcess(pid)) {
      throw usageError(`process ${pid} (${status.name}) is not a Node.js process`, 'NOT_NODE');
    }
    ports = configuredInspectorPorts(readCmdline(pid), readNodeOptions(pid));
    before = processListeningSockets(pid);
  } catch (err) {
    if (isGone(err)) throw noSuchPid(pid);
    if ((err as NodeJS.ErrnoException).code === 'EACCES') {
      throw runtimeError(`permission denied reading /proc/${pid}: it belongs to another user`, 'PERMISSION');
    }
    throw err;
  }

  // An inspector a killed heapwatch opened and could not close: ours to close again this time.
  const leftOpen = leftOpenInspector(pid);
  if (leftOpen) {
    const found = await probeSockets(before.filter((s) => s.port === leftOpen.port));
    if (found) return location(pid, found, true);
  }

  // An inspector that is already open on its configured port (or 9229): nothing to send.
  // --inspect=host:0 opens one at start on a port we cannot know, so then every socket of the process is a candidate.
  const anyPort = ports.includes(0) && opensAtStart(readCmdline(pid), readNodeOptions(pid));
  const already = await probeSockets(before.filter((s) => anyPort || ports.includes(s.port)));
  if (already) return location(pid, already, false);

  if (!handlesSigusr1(status)) {
    // It may still have an inspector opened from code (inspector.open()) on some other port.
    const anyOpen = await probeSockets(before.filter((s) => !ports.includes(s.port)));
    if (anyOpen) return location(pid, anyOpen, false);
    throw usageError(
      `process ${pid} does not handle SIGUSR1 (started with --disable-sigusr1, or a handler replaced it); ` +
        'heapwatch will not send it because the signal would kill the process — restart it with --inspect-port=0',
      'NO_SIGUSR1',
    );
  }

  if (!isNodeExecutable(pid)) {
    throw usageError(
      `process ${pid} (${status.name}) is named like Node.js but /proc/${pid}/exe is not a Node.js binary; ` +
        'heapwatch will not send it SIGUSR1',
      'NOT_NODE',
    );
  }
  const known = new Set(before.map((s) => s.inode));
  try {
    process.kill(pid, 'SIGUSR1');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') throw noSuchPid(pid);
    if (code === 'EPERM') throw runtimeError(`not allowed to signal process ${pid} (another user)`, 'PERMISSION');
    throw err;
  }

  const deadline = Date.now() + timeoutMs;
  let checkedOld = false;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    if (!isAlive(pid)) throw runtimeError(`process ${pid} exited while heapwatch was attaching`, 'TARGET_EXITED');
    let fresh: ListeningSocket[];
    try {
      fresh = processListeningSockets(pid).filter((s) => !known.has(s.inode));
    } catch (err) {
      if (isGone(err)) throw runtimeError(`process ${pid} exited while heapwatch was attaching`, 'TARGET_EXITED');
      throw err;
    }
    const opened = await probeSockets(fresh);
    if (opened) {
      rememberOpenedInspector(pid, opened.socket.port);
      return location(pid, opened, true);
    }
    if (!checkedOld && Date.now() > deadline - timeoutMs + 2000) {
      // Nothing new after 2 s: an inspector may already be open on an unexpected port (SIGUSR1 is then a no-op).
      checkedOld = true;
      const old = await probeSockets(before.filter((s) => !ports.includes(s.port)));
      if (old) return location(pid, old, false);
      const taken = portTakenError(pid, ports);
      if (taken) throw taken;
    }
  }

  // Nothing new: an inspector may already have been open on an unexpected port (SIGUSR1 is then a no-op).
  const fallback = await probeSockets(processListeningSockets(pid).filter((s) => !ports.includes(s.port)));
  if (fallback) return location(pid, fallback, false);

  const taken = portTakenError(pid, ports);
  if (taken) throw taken;
  throw runtimeError(
    `timed out after ${timeoutMs} ms waiting for the inspector of process ${pid} to open ` +
      '(its main thread may be blocked; the inspector may still open later on its own)',
    'TIMEOUT',
  );
}

/** The inspector port the target wants is held by a socket of another process: the target cannot open it. */
function portTakenError(pid: number, ports: number[]): HeapwatchError | undefined {
  if (ports.includes(0)) return undefined;
  const wanted = ports[0];
  const mine = new Set(processListeningSockets(pid).map((s) => s.inode));
  const taken = listeningSockets(pid).find((s) => s.port === wanted && !mine.has(s.inode));
  if (!taken) return undefined;
  const owner = ownerOfInode(taken.inode);
  return runtimeError(
    `port ${wanted} is already in use by ${owner ? `process ${owner}` : 'another process'}, so process ${pid} ` +
      'could not open its inspector ("address already in use" on its stderr); free the port or restart the target with --inspect-port=0',
    'PORT_TAKEN',
  );
}

/** Finds the inspector of a pid, host:port or ws:// target. Only loopback addresses are ever accepted. */
export async function locate(target: string | TargetSpec, options: LocateOptions = {}): Promise<InspectorLocation> {
  const spec = typeof target === 'string' ? parseTarget(target) : target;
  if (spec.kind === 'pid') return locatePid(spec.pid, options);
  if (spec.kind === 'hostport') {
    await assertLoopbackHost(spec.host);
    const url = await inspectorUrlAt(spec.host, spec.port, options.timeoutMs ?? 2000);
    if (!url) {
      throw runtimeError(`no Node.js inspector answers at ${formatHost(spec.host)}:${spec.port}`, 'NO_INSPECTOR');
    }
    return { wsUrl: url, host: spec.host, port: spec.port, openedByUs: false };
  }
  await assertLoopbackHost(spec.url.hostname);
  const port = Number(spec.url.port || 80);
  return { wsUrl: spec.url.href, host: spec.url.hostname.replace(/^\[|\]$/g, ''), port, openedByUs: false };
}
