// Redacted dumps straight from capture: `dump --redact` (beside the raw dump) and the guard's HEAPWATCH_REDACT
// (a child process of its own writes the copy; `only` removes the raw dump once the copy is complete).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REGISTER_CJS, removeTempDirs, startNode, tempDir, writeApp } from '../guard/helpers.js';
import { killAll, runCli, startTarget } from '../live/helpers.js';

afterAll(() => {
  killAll();
  removeTempDirs();
});

const mode = (path: string) => statSync(path).mode & 0o777;

describe('redacted dumps', () => {
  it('dump --redact: the raw dump and <name>-redacted.heapsnapshot beside it; the copy holds no string values', async () => {
    const target = await startTarget(['--inspect-port=0']);
    const dir = tempDir('dump-redact');
    const out = join(dir, 'app.heapsnapshot');
    const r = await runCli(['dump', String(target.pid), '-o', out, '--redact', '--json']);
    expect(r.code).toBe(0);
    const redacted = join(dir, 'app-redacted.heapsnapshot');
    expect(JSON.parse(r.stdout)).toMatchObject({ schema: 'heapwatch/dump@1', file: out, redacted });
    expect(readdirSync(dir).sort()).toEqual(['app-redacted.heapsnapshot', 'app.heapsnapshot']);
    expect(mode(redacted)).toBe(0o600);
    // the target's allocation loop builds `item <i>` strings: values, so only the raw dump has them
    expect(readFileSync(out).includes('"item 1999"')).toBe(true);
    expect(readFileSync(redacted).includes('item 1')).toBe(false);
    expect(statSync(redacted).size).toBeGreaterThan(statSync(out).size * 0.8);
  });

  it('HEAPWATCH_REDACT=only: the signal dump is replaced by its redacted copy once that is complete', async () => {
    const dir = tempDir('guard-redact');
    const token = `tok_${process.pid}_9f3kq8x2`;
    const app = writeApp(
      dir,
      'api.cjs',
      `globalThis.config = { token: ['${token.slice(0, 6)}', '${token.slice(6)}'].join('') };
process.stdout.write('ready\\n');
setInterval(() => {}, 1000);`,
    );
    const env = { HEAPWATCH_DIR: dir, HEAPWATCH_SIGNAL: 'SIGUSR2', HEAPWATCH_REDACT: 'only' };
    const child = startNode(['--require', REGISTER_CJS, app], env, dir);
    try {
      await child.waitFor('stdout', /ready/);
      child.proc.kill('SIGUSR2');
      const done = await child.waitFor(
        'stderr',
        /(\S+-signal-redacted\.heapsnapshot): \d+ of \d+ strings redacted.*; (\S+) removed\n/,
      );
      const [, redacted, raw] = done;
      expect(raw).toMatch(/\/api-\d+-\d{8}T\d{6}\.\d{3}Z-signal\.heapsnapshot$/);
      expect(readdirSync(dir).filter((n) => n.endsWith('.heapsnapshot'))).toEqual([redacted.split('/').pop()]);
      expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
      expect(mode(redacted)).toBe(0o600);
      const bytes = readFileSync(redacted);
      expect(bytes.includes(token)).toBe(false);
      expect(bytes.includes('"config"')).toBe(true);
      expect(bytes.subarray(-2).toString()).toBe(']}');
    } finally {
      child.proc.kill('SIGKILL');
      await child.exited;
    }
  });
});
