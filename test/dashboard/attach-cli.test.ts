import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// heapwatch attach outside a terminal and with bad options: one line, exit 2, nothing attached.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function heapwatch(...args: string[]) {
  // stdio pipes: neither stdin nor stdout is a TTY
  return spawnSync(process.execPath, ['bin/heapwatch.js', ...args], { cwd: ROOT, encoding: 'utf8' });
}

describe('heapwatch attach without a terminal', () => {
  it('exits 2 with a hint to use heapwatch gc, and never touches the target', () => {
    const r = heapwatch('attach', String(process.pid));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'heapwatch: attach draws a terminal dashboard and needs a terminal; for a stream of samples use `heapwatch gc <target>` (or --json)\n',
    );
  });

  it.each([
    [['--interval', 'fast'], 'heapwatch: --interval must look like 250ms, 1s or 2m, got: fast\n'],
    [['--interval', '50ms'], 'heapwatch: --interval: at least 100ms, got 50ms\n'],
    [['--window', '2s'], 'heapwatch: --window: must hold at least 10 intervals\n'],
    [['--dump-at', '120'], 'heapwatch: --dump-at: not a percent between 1 and 100: 120\n'],
    [['--dump-dir', '/dev/null/dumps'], 'heapwatch: --dump-dir: /dev/null/dumps: /dev/null is not a directory\n'],
  ])('rejects %j', (args, message) => {
    const r = heapwatch('attach', '1', ...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(message);
  });
});
