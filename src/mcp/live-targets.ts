import { readFileSync } from 'node:fs';
import { usageError } from '../errors.js';
import { parseTarget, type TargetSpec } from '../live/locate.js';
import { isGone, isLoopbackAddress } from '../live/proc.js';

/**
 * The server's rule for live tools, stricter than the CLI's (an agent drives it, and the inspector is remote code
 * execution): a pid must belong to the user the server runs as (all four of /proc/<pid>/status's Uid values),
 * root included (a server running as root acts on root's processes only: run it as the service's user to reach
 * the service); a host:port or ws:// target must be a literal loopback address or localhost (no DNS), and every
 * socket listening on that port in our network namespace must belong to our user. The commands' own loopback
 * check then runs as usual when attaching.
 */
export function checkLiveTarget(target: string, uid = process.getuid?.() ?? -1): TargetSpec {
  const spec = parseTarget(target);
  if (spec.kind === 'pid') {
    const uids = processUids(spec.pid);
    const other = uids.find((u) => u !== uid);
    if (other !== undefined) {
      throw usageError(
        `refusing process ${spec.pid}: it runs as user ${other}, this server as user ${uid}; heapwatch mcp acts only on processes of its own user`,
        'OTHER_USER',
      );
    }
    return spec;
  }
  const host = spec.kind === 'hostport' ? spec.host : spec.url.hostname.replace(/^\[|\]$/g, '');
  const port = spec.kind === 'hostport' ? spec.port : Number(spec.url.port || 80);
  if (!isLoopbackAddress(host)) {
    throw usageError(
      `refusing ${target}: heapwatch mcp only connects to inspectors on loopback (127.0.0.1, ::1, localhost)`,
      'NOT_LOOPBACK',
    );
  }
  const owners = listeningPortOwners(port);
  if (owners.length === 0) throw usageError(`no socket listens on port ${port} here`, 'NO_INSPECTOR');
  const other = owners.find((u) => u !== uid);
  if (other !== undefined) {
    throw usageError(
      `refusing ${target}: port ${port} is held by user ${other}, this server runs as user ${uid}; heapwatch mcp acts only on processes of its own user`,
      'OTHER_USER',
    );
  }
  return spec;
}

/** Real, effective, saved and file-system uid of a process. */
function processUids(pid: number): number[] {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch (err) {
    if (isGone(err)) throw usageError(`no such process: ${pid}`, 'NO_SUCH_PID');
    throw err;
  }
  const m = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(text);
  if (!m) throw usageError(`cannot read the owner of process ${pid}`, 'PERMISSION');
  return m.slice(1, 5).map(Number);
}

/** The uids owning the TCP sockets listening on `port` in this network namespace (/proc/self/net/tcp, tcp6). */
function listeningPortOwners(port: number): number[] {
  const uids: number[] = [];
  for (const file of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/self/net/${file}`, 'utf8');
    } catch {
      continue; // no IPv6 in this kernel
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex, st 0A is LISTEN, uid is the eighth column
      if (cols.length < 10 || cols[3] !== '0A') continue;
      if (Number.parseInt(cols[1].split(':')[1], 16) === port) uids.push(Number(cols[7]));
    }
  }
  return uids;
}
