import { usageError } from '../../errors.js';

/** `250ms`, `1s`, `2m`, or a bare number of milliseconds (as jstat takes it). */
export function parseDuration(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw usageError(`${what} must look like 250ms, 1s or 2m, got: ${text}`);
  const n = Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : 1);
  if (n < 10) throw usageError(`${what} must be at least 10ms, got: ${text}`);
  return n;
}

export function parseCount(text: string, what: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1)
    throw usageError(`${what} must be a positive integer, got: ${text}`);
  return Number(text);
}

export const TARGET_HELP = 'pid, host:port or ws:// URL of a Node.js inspector (loopback only)';
export const TIMEOUT_HELP = 'ms to wait for the inspector to open or answer';

export const INSPECTOR_HELP =
  "use the target's inspector even when it runs heapwatch/register (by default its private socket is used)";

/** Where live commands tell the user what they do to the target (opening an inspector, closing one). */
export const noticeOnStderr = (line: string): void => {
  process.stderr.write(`heapwatch: ${line}\n`);
};
