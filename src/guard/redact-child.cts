// HEAPWATCH_REDACT: the guard hands each complete dump to `heapwatch redact` in a child process of its own (the
// redactor reads the whole file and holds its string table: never in the user's process). The child is
// detached, runs at a lower priority, outlives a dying app, and writes `<dump>-redacted.heapsnapshot` through
// safe-file; with `only` it removes the raw dump once the redacted one is complete. Its result line and any
// error go to the app's stderr, beside the guard's own lines. Node built-ins only.
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { splitNodeOptions } from './config.cjs';

/** `<name>-redacted.heapsnapshot` beside the dump (the `-redacted` joins the reason, so retention counts it). */
export function redactedPath(raw: string): string {
  const ext = '.heapsnapshot';
  return raw.endsWith(ext) ? `${raw.slice(0, -ext.length)}-redacted${ext}` : `${raw}-redacted${ext}`;
}

/** NODE_OPTIONS without heapwatch's preload, so the redactor does not guard itself. */
export function withoutGuardPreload(nodeOptions: string | undefined): string {
  const args = splitNodeOptions(nodeOptions ?? '');
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const loads = a === '-r' || a === '--require' || a === '--import';
    if (loads && i + 1 < args.length && args[i + 1].includes('heapwatch')) {
      i++;
      continue;
    }
    if (/^--(require|import)=.*heapwatch/.test(a)) continue;
    kept.push(a);
  }
  return kept.map((a) => (/[\s"\\]/.test(a) ? `"${a.replace(/["\\]/g, '\\$&')}"` : a)).join(' ');
}

/** Starts `heapwatch redact <raw> <raw>-redacted.heapsnapshot` in the background; never throws. */
export function startRedaction(raw: string, removeRaw: boolean, say: (message: string) => void): void {
  try {
    const cli = join(__dirname, '..', '..', 'bin', 'heapwatch.js');
    const args = [cli, 'redact', raw, redactedPath(raw)];
    if (removeRaw) args.push('--remove-input');
    const env = { ...process.env, NODE_OPTIONS: withoutGuardPreload(process.env.NODE_OPTIONS) };
    const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 2, 2], env });
    child.on('error', (err) => say(`redacting ${raw} failed: ${err.message}`));
    if (child.pid !== undefined) {
      try {
        setPriority(child.pid, 10);
      } catch {
        // not allowed to lower it: it runs at the app's priority
      }
    }
    child.unref();
    say(
      `writing a redacted copy of ${raw} to ${redactedPath(raw)}${removeRaw ? ' (the raw dump is removed after)' : ''}`,
    );
  } catch (err) {
    say(`redacting ${raw} failed: ${(err as Error).message}`);
  }
}
