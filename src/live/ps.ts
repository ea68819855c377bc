import { formatBytes, padLeft } from '../format.js';
import { findGuardSocket } from './guard-socket.js';
import { configuredInspectorPorts, inspectorUrlAt } from './locate.js';
import {
  isLoopbackAddress,
  isNodeProcess,
  listPids,
  processListeningSockets,
  readCmdline,
  readNodeOptions,
  readStatus,
  readUptimeSeconds,
} from './proc.js';

/** One Node.js process of this user, as `heapwatch ps` lists it. */
export interface NodeProcessInfo {
  pid: number;
  command: string;
  rss: number;
  uptimeSeconds: number;
  /** host:port of its open inspector, or null. */
  inspector: string | null;
  /** False when the inspector listens beyond loopback (heapwatch refuses to use it). */
  inspectorLoopback: boolean | null;
  /** The guard's private socket (heapwatch/register): the live view needs no inspector. Null when it has none. */
  guardSocket: string | null;
}

/**
 * Finds an open inspector without knocking on the application's own ports: only sockets on a port named by
 * --inspect* (or 9229) are asked for /json/list, or every listening socket when the process asked for port 0.
 */
async function findInspector(pid: number): Promise<{ address: string; port: number } | undefined> {
  const ports = configuredInspectorPorts(readCmdline(pid), readNodeOptions(pid));
  const sockets = processListeningSockets(pid).filter((s) => ports.includes(0) || ports.includes(s.port));
  for (const s of sockets) {
    const host = s.address === '0.0.0.0' ? '127.0.0.1' : s.address === '::' ? '::1' : s.address;
    if (await inspectorUrlAt(host, s.port, 500)) return { address: s.address, port: s.port };
  }
  return undefined;
}

export async function listNodeProcesses(): Promise<NodeProcessInfo[]> {
  const uid = process.getuid?.() ?? -1;
  const rows: NodeProcessInfo[] = [];
  for (const pid of listPids()) {
    if (pid === process.pid) continue;
    try {
      const status = readStatus(pid);
      if (status.uid !== uid || !isNodeProcess(pid)) continue;
      const inspector = await findInspector(pid);
      rows.push({
        pid,
        command: readCmdline(pid).join(' ').trim(),
        rss: status.rssBytes,
        uptimeSeconds: Math.round(readUptimeSeconds(pid)),
        inspector: inspector
          ? `${inspector.address.includes(':') ? `[${inspector.address}]` : inspector.address}:${inspector.port}`
          : null,
        inspectorLoopback: inspector ? isLoopbackAddress(inspector.address) : null,
        guardSocket: findGuardSocket(pid, uid)?.bound ?? null,
      });
    } catch {
      // exited while we looked, or not ours to read
    }
  }
  return rows;
}

export function formatUptime(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  const two = (n: number): string => String(n).padStart(2, '0');
  if (d > 0) return `${d}d${two(h)}h`;
  if (h > 0) return `${h}h${two(m)}m`;
  if (m > 0) return `${m}m${two(s)}s`;
  return `${s}s`;
}

export function formatProcessTable(rows: NodeProcessInfo[]): string {
  const lines = [
    `${padLeft('PID', 7)} ${padLeft('RSS', 9)} ${padLeft('UPTIME', 7)}  GUARD   ${'INSPECTOR'.padEnd(21)} COMMAND`,
  ];
  for (const r of rows) {
    const inspector = r.inspector ? `${r.inspector}${r.inspectorLoopback ? '' : ' (exposed)'}` : '-';
    lines.push(
      `${padLeft(String(r.pid), 7)} ${padLeft(formatBytes(r.rss), 9)} ${padLeft(formatUptime(r.uptimeSeconds), 7)}  ${(r.guardSocket ? 'socket' : '-').padEnd(7)} ${inspector.padEnd(21)} ${r.command}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
