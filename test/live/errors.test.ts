import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { afterOpenedNotice, killAll, pendingSignals, procState, runCli, spawnPlain, startTarget } from './helpers.js';

const work = mkdtempSync(join(tmpdir(), 'heapwatch-live-errors-'));
afterAll(() => {
  killAll();
  rmSync(work, { recursive: true, force: true });
});

/** A process that was never signalled is still sleeping, has nothing pending, and dies of the SIGTERM we send now. */
async function expectNeverSignalled(child: ReturnType<typeof spawnPlain>): Promise<void> {
  expect(procState(child.pid!)).toMatch(/^[RS]$/);
  expect(pendingSignals(child.pid!)).toBe(0n);
  const exit = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  child.kill('SIGTERM');
  expect(await exit).toBe('SIGTERM');
}

describe('live error cases (exit code, one line on stderr)', () => {
  it('refuses a non-Node process (sleep) without signalling it', async () => {
    const sleeper = spawnPlain('sleep', ['30']);
    await new Promise((r) => setTimeout(r, 100));
    const r = await runCli(['gc', String(sleeper.pid), '100ms', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`heapwatch: process ${sleeper.pid} (sleep) is not a Node.js process\n`);
    expect(r.stdout).toBe('');
    await expectNeverSignalled(sleeper);
  });

  it('refuses a process named node that does not handle SIGUSR1, without signalling it', async () => {
    // a real binary that ignores nothing and handles nothing: sleep, copied under the name "node"
    const fakeNode = join(work, 'node');
    copyFileSync('/bin/sleep', fakeNode);
    const child = spawnPlain(fakeNode, ['30']);
    await new Promise((r) => setTimeout(r, 100));
    const r = await runCli(['dump', String(child.pid), '-o', join(work, 'never.heapsnapshot')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^heapwatch: process ${child.pid} does not handle SIGUSR1 .*\\n$`));
    await expectNeverSignalled(child);
  });

  it('no such pid', async () => {
    const gone = spawnPlain('true', []);
    await new Promise((r) => gone.once('exit', r));
    const r = await runCli(['gc', String(gone.pid), '1s', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`heapwatch: no such process: ${gone.pid}\n`);
  });

  it('inspector port taken by another process', async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const target = await startTarget([`--inspect-port=${port}`]);
      const r = await runCli(['gc', String(target.pid), '1s', '1']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `^heapwatch: port ${port} is already in use by process ${process.pid}, so process ${target.pid} could not open its inspector`,
        ),
      );
      expect(target.stderr()).toContain('address already in use');
    } finally {
      server.close();
    }
  });

  it('times out when the target cannot open its inspector (main thread blocked)', async () => {
    const target = await startTarget(['--inspect-port=0']);
    target.send('block'); // execSync('sleep 3'): no JS runs, SIGUSR1 is not serviced
    await new Promise((r) => setTimeout(r, 100));
    const r = await runCli(['gc', String(target.pid), '1s', '1', '--timeout', '800']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^heapwatch: timed out after 800 ms waiting for the inspector of process \d+ to open/);
  });

  it('target exits while attached', async () => {
    const target = await startTarget(['--inspect-port=0']);
    let killed = false;
    const r = await runCli(['gc', String(target.pid), '100ms'], {
      onStdout: (out) => {
        if (!killed && out.split('\n').length > 3) {
          killed = true;
          target.child.kill('SIGKILL');
        }
      },
    });
    expect(killed).toBe(true);
    expect(r.code).toBe(1);
    expect(afterOpenedNotice(r.stderr)).toBe(`heapwatch: process ${target.pid} exited while heapwatch was attached\n`);
  });

  it('target ends by itself while attached: its rows, then the same exited line and exit code', async () => {
    // no SIGKILL: once three rows are out, the target's event loop runs dry and it waits for the debugger to go
    // (told on stdin when the rows are there, not after a fixed time: on a loaded machine attaching can take seconds)
    const target = await startTarget(['--inspect-port=0']);
    let told = false;
    const r = await runCli(['gc', String(target.pid), '200ms'], {
      onStdout: (out) => {
        if (!told && out.split('\n').length > 4) {
          told = true;
          target.child.stdin!.write('end\n');
        }
      },
    });
    const rows = r.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^ +NC +NU +OC +OU /);
    expect(rows.length).toBeGreaterThan(3);
    for (const row of rows.slice(1)) expect(row).toMatch(/^( +[\d.-]+){18}$/);
    expect(r.code).toBe(1);
    expect(afterOpenedNotice(r.stderr)).toBe(`heapwatch: process ${target.pid} exited while heapwatch was attached\n`);
    // and it did end, normally, once heapwatch let go
    expect(await target.exited).toEqual({ code: 0, signal: null });
  });

  it('bad target and interval are usage errors', async () => {
    expect((await runCli(['gc', 'nonsense'])).code).toBe(2);
    const r = await runCli(['gc', '1', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('heapwatch: interval must look like 250ms, 1s or 2m, got: soon\n');
  });
});
