import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Is the program running as `pid` really Node.js, whatever it is called? A name can lie (a shell script or a copy
 * of bash named `node`, with a SIGUSR1 trap): heapwatch reads the ELF executable itself through /proc/<pid>/exe
 * and looks in its dynamic string table for Node's addon entry point (`napi_module_register`, exported by every
 * Node binary for native addons) or for `libnode.so` (distributions that build Node as a shared library).
 * Bounded: the ELF header, the section headers and one string table (~5 MB for Node 20).
 */
const MARKERS = [Buffer.from('\0napi_module_register\0'), Buffer.from('\0libnode.so')];
const MAX_DYNSTR = 64 * 1024 * 1024;

function readAt(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

/** The .dynstr section of a 64-bit little-endian ELF file (Node's platforms), or undefined. */
function dynamicStrings(fd: number): Buffer | undefined {
  const header = readAt(fd, 64, 0);
  if (header.length < 64 || header.readUInt32BE(0) !== 0x7f454c46) return undefined; // \x7fELF
  if (header[4] !== 2 || header[5] !== 1) return undefined; // ELFCLASS64, little-endian
  const shoff = Number(header.readBigUInt64LE(0x28));
  const shentsize = header.readUInt16LE(0x3a);
  const shnum = header.readUInt16LE(0x3c);
  if (shentsize < 64 || shnum === 0 || shnum > 4096) return undefined;
  const sections = readAt(fd, shentsize * shnum, shoff);
  for (let i = 0; i + 1 <= shnum && (i + 1) * shentsize <= sections.length; i++) {
    const at = i * shentsize;
    const type = sections.readUInt32LE(at + 4);
    if (type !== 11) continue; // SHT_DYNSYM: its sh_link names the string table it uses
    const link = sections.readUInt32LE(at + 40);
    if (link >= shnum) return undefined;
    const str = link * shentsize;
    const offset = Number(sections.readBigUInt64LE(str + 24));
    const size = Number(sections.readBigUInt64LE(str + 32));
    if (size > MAX_DYNSTR) return undefined;
    return readAt(fd, size, offset);
  }
  return undefined;
}

export function isNodeExecutable(pid: number): boolean {
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/exe`, 'r');
  } catch {
    return false;
  }
  try {
    const strings = dynamicStrings(fd);
    return strings !== undefined && MARKERS.some((m) => strings.includes(m));
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}
