import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Readers of Linux /proc for one process: what heapwatch needs to find a Node process and its inspector. */

export interface ProcStatus {
  name: string;
  uid: number;
  gid: number;
  /** Signals with a handler installed (SigCgt), as a bigint bit mask: bit n-1 is signal n. */
  sigCgt: bigint;
  sigIgn: bigint;
  rssBytes: number;
}

export interface ListeningSocket {
  inode: number;
  address: string;
  port: number;
  ipv6: boolean;
}

const SIGUSR1_BIT = 9n; // signal 10 on Linux → bit 9 of the mask

/** Thrown by the readers below when /proc/<pid> does not exist (errno ENOENT/ESRCH). */
export function isGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ESRCH';
}

export function readStatus(pid: number): ProcStatus {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): string => {
    const m = text.match(new RegExp(`^${name}:\\s*(.*)$`, 'm'));
    return m ? m[1].trim() : '';
  };
  const rss = field('VmRSS').match(/(\d+)\s*kB/);
  return {
    name: field('Name'),
    uid: Number(field('Uid').split(/\s+/)[0]),
    gid: Number(field('Gid').split(/\s+/)[0]),
    sigCgt: BigInt(`0x${field('SigCgt') || '0'}`),
    sigIgn: BigInt(`0x${field('SigIgn') || '0'}`),
    rssBytes: rss ? Number(rss[1]) * 1024 : 0,
  };
}

export function handlesSigusr1(status: ProcStatus): boolean {
  return ((status.sigCgt >> SIGUSR1_BIT) & 1n) === 1n;
}

/** argv of the process ('' separated in /proc); empty for kernel threads and zombies. */
export function readCmdline(pid: number): string[] {
  const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  return raw.split('\0').filter((s, i, all) => s !== '' || i < all.length - 1);
}

/** The executable's path, or undefined when the kernel won't tell us (another user's process). */
export function readExe(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch (err) {
    if (isGone(err)) throw err;
    return undefined;
  }
}

/** NODE_OPTIONS from the process environment, when readable. */
export function readNodeOptions(pid: number): string {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const entry = env.find((e) => e.startsWith('NODE_OPTIONS='));
    return entry ? entry.slice('NODE_OPTIONS='.length) : '';
  } catch {
    return '';
  }
}

/**
 * A Node process is one whose executable is named like node (node, nodejs, node20) or whose argv[0] is.
 * process.title changes argv and comm but not /proc/<pid>/exe.
 */
export function isNodeProcess(pid: number): boolean {
  const exe = readExe(pid);
  const looksLikeNode = (path: string): boolean =>
    /^node(js)?[\d.]*$/.test(
      path
        .replace(/ \(deleted\)$/, '')
        .split('/')
        .pop() ?? '',
    );
  if (exe !== undefined) return looksLikeNode(exe);
  const argv0 = readCmdline(pid)[0] ?? '';
  return looksLikeNode(argv0);
}

/** Seconds since the process started. */
export function readUptimeSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after the parenthesised comm; starttime is field 22 (1-based), in clock ticks
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const startTicks = Number(rest[22 - 3]);
  const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  const clockTicks = 100; // USER_HZ is 100 on every Linux architecture Node supports
  return Math.max(0, uptime - startTicks / clockTicks);
}

/** utime + stime of the process in ms (for benchmarks). */
export function readCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(rest[14 - 3]) + Number(rest[15 - 3])) * 1000) / 100;
}

/** Inodes of the sockets the process holds open. */
export function socketInodes(pid: number): Set<number> {
  const inodes = new Set<number>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let link: string;
    try {
      link = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed between readdir and readlink
    }
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m) inodes.add(Number(m[1]));
  }
  return inodes;
}

function parseHexAddress(hex: string, ipv6: boolean): string {
  if (!ipv6) {
    const n = Number.parseInt(hex, 16);
    // stored in host byte order (little-endian on x86/arm)
    return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join('.');
  }
  // four 32-bit words, each in host byte order
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = Number.parseInt(hex.slice(w * 8, w * 8 + 8), 16);
    bytes.push(word & 255, (word >>> 8) & 255, (word >>> 16) & 255, (word >>> 24) & 255);
  }
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255) {
    return `::ffff:${bytes.slice(12).join('.')}`;
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

/** Listening TCP sockets in the network namespace of `pid` (from /proc/<pid>/net/tcp and tcp6). */
export function listeningSockets(pid: number | 'self'): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  for (const [file, ipv6] of [
    ['tcp', false],
    ['tcp6', true],
  ] as const) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${file}`, 'utf8');
    } catch (err) {
      if (isGone(err) && file === 'tcp6') continue; // no IPv6 in this kernel
      throw err;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A') continue; // 0A = TCP_LISTEN
      const [addrHex, portHex] = cols[1].split(':');
      out.push({
        inode: Number(cols[9]),
        address: parseHexAddress(addrHex, ipv6),
        port: Number.parseInt(portHex, 16),
        ipv6,
      });
    }
  }
  return out;
}

/** The listening sockets that belong to `pid`: socket inodes of its fds matched against its netns tables. */
export function processListeningSockets(pid: number): ListeningSocket[] {
  const mine = socketInodes(pid);
  return listeningSockets(pid).filter((s) => mine.has(s.inode));
}

export function isLoopbackAddress(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, '').toLowerCase();
  if (a === '::1' || a === 'localhost') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice(7) : a;
  return /^127\.\d+\.\d+\.\d+$/.test(v4);
}

/** All pids visible in /proc. */
export function listPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .sort((a, b) => a - b);
}

/** When the process started, in clock ticks since boot (field 22 of /proc/<pid>/stat): tells a reused pid apart. */
export function readStartTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[22 - 3]);
}
