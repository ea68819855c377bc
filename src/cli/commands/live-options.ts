import { usageError } from '../../errors.js';

/** Node's timers hold at most 2^31-1 ms (24.8 days); a longer wait would fire at once with a warning. */
const MAX_DURATION_MS = 2 ** 31 - 1;

/** The user's text in a message: an empty argument (`gc 123 ''`) said in words. */
function shown(text: string): string {
  return text.trim() === '' ? 'an empty string' : text;
}

/** `250ms`, `1s`, `2m`, or a bare number of milliseconds (as jstat takes it). */
export function parseDuration(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw usageError(`${what} must look like 250ms, 1s or 2m, got: ${shown(text)}`);
  const n = Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : 1);
  if (n < 10) throw usageError(`${what} must be at least 10ms, got: ${text}`);
  if (n > MAX_DURATION_MS) throw usageError(`${what} must be at most ${MAX_DURATION_MS}ms (24.8 days), got: ${text}`);
  return n;
}

/** A number of rows or repetitions: a positive whole number Number can hold exactly. */
export function parseCount(text: string, what: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || !Number.isSafeInteger(n)) {
    throw usageError(`${what} must be a positive integer, got: ${shown(text)}`);
  }
  return n;
}

export const TARGET_HELP = 'pid, host:port or ws:// URL of a Node.js inspector (loopback only)';
export const TIMEOUT_HELP = 'ms to wait for the inspector to open or answer';

export const INSPECTOR_HELP =
  "use the target's inspector even when it runs heapwatch/register (by default its private socket is used)";

/** Where live commands tell the user what they do to the target (opening an inspector, closing one). */
export const noticeOnStderr = (line: string): void => {
  process.stderr.write(`heapwatch: ${line}\n`);
};
