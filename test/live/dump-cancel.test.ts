// `heapwatch dump` leaves either nothing (cancelled, exit 130) or a complete file (exit 0), never both and never a
// temp file, whenever Ctrl-C comes: the moment the temp file appears, the moment the target starts writing into
// it, the moment the final name appears. And a target never fills the disk with a snapshot it then keeps open.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { afterOpenedNotice, killAll, ROOT, runCli, startTarget } from './helpers.js';

const work = mkdtempSync(join(tmpdir(), 'heapwatch-dump-cancel-'));
const mounted: string[] = [];
afterAll(() => {
  killAll();
  for (const m of mounted) spawnSync('umount', ['-l', m]);
  rmSync(work, { recursive: true, force: true });
});

const ROUNDS = 3;

type Trigger = 'temp appears' | 'temp grows' | 'final name appears';

interface Outcome {
  trigger: Trigger;
  dir: string;
  signalled: boolean;
  code: number | null;
  names: string[];
  stderr: string;
}

/** Runs `heapwatch dump` into an empty folder and sends SIGINT the moment the folder shows `trigger`. */
function dumpInterrupted(pid: number, dir: string, trigger: Trigger): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [`${ROOT}bin/heapwatch.js`, 'dump', String(pid), '-o', join(dir, 'x.heapsnapshot'), '--json'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    let signalled = false;
    const watcher = watch(dir, (event, name) => {
      if (signalled || !name) return;
      const hit =
        trigger === 'final name appears'
          ? name === 'x.heapsnapshot'
          : name.endsWith('.tmp') && (trigger === 'temp appears' || event === 'change');
      if (hit) signalled = child.kill('SIGINT');
    });
    child.on('close', (code) => {
      watcher.close();
      resolve({ trigger, dir, signalled, code, names: readdirSync(dir), stderr });
    });
  });
}

function isComplete(file: string): boolean {
  const text = readFileSync(file, 'latin1');
  return text.startsWith('{"snapshot":{') && text.trimEnd().endsWith(']}');
}

describe('heapwatch dump and Ctrl-C', () => {
  it('leaves nothing (exit 130) or a complete 0600 file (exit 0), never a temp, wherever the signal lands', async () => {
    const target = await startTarget(['--inspect-port=0']);
    const triggers: Trigger[] = ['temp appears', 'temp grows', 'final name appears'];
    const outcomes: Outcome[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const trigger of triggers) {
        outcomes.push(await dumpInterrupted(target.pid, mkdtempSync(join(work, 'run-')), trigger));
        await target.state(); // answers once a write a cancelled run left it doing is over
      }
    }
    // one dump to the end: the target has finished every write the cancelled runs started
    const last = join(mkdtempSync(join(work, 'last-')), 'last.heapsnapshot');
    expect((await runCli(['dump', String(target.pid), '-o', last])).code).toBe(0);
    for (const o of outcomes) {
      const names = readdirSync(o.dir); // again, after the target is surely done
      const file = join(o.dir, 'x.heapsnapshot');
      const seen = { trigger: o.trigger, code: o.code, names, stderr: o.code === 0 ? '' : o.stderr };
      if (o.code === 130)
        expect({ ...seen, stderr: '' }).toEqual({ trigger: o.trigger, code: 130, names: [], stderr: '' });
      else {
        expect(seen).toEqual({ trigger: o.trigger, code: 0, names: ['x.heapsnapshot'], stderr: '' });
        expect(isComplete(file)).toBe(true);
        expect(statSync(file).mode & 0o777).toBe(0o600);
      }
    }
    // the window was hit: cancelled runs while the temp existed, and finished ones signalled after the rename
    const cancelled = outcomes.filter((o) => o.signalled && o.code === 130);
    expect(cancelled.filter((o) => o.trigger === 'temp appears').length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.trigger === 'final name appears' && o.signalled && o.code === 0).length).toBe(
      ROUNDS,
    );
    expect((await target.state()).inspectorUrl).toBeNull();
  }, 240_000);
});

describe('heapwatch dump on a nearly full disk', () => {
  it('streams instead of letting the target write, says so, and leaves the disk as it was', async (ctx) => {
    const disk = join(work, 'small-disk');
    mkdirSync(disk);
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0755', 'tmpfs', disk], { encoding: 'utf8' });
    if (mount.status !== 0) {
      ctx.skip(`cannot mount a tmpfs here (needs root): ${mount.stderr.trim()}`);
      return;
    }
    mounted.push(disk);
    const freeBefore = statfsSync(disk).bfree;
    const target = await startTarget(['--inspect-port=0']);
    const out = join(disk, 'full.heapsnapshot');
    const r = await runCli(['dump', String(target.pid), '-o', out]);
    expect(r.code).toBe(1);
    const lines = afterOpenedNotice(r.stderr).trimEnd().split('\n');
    expect(lines[1]).toMatch(
      new RegExp(
        `^heapwatch: [\\d.]+ [KM]B free on ${disk}, a snapshot of this heap may need about [\\d.]+ MB: streaming it instead`,
      ),
    );
    expect(lines[2]).toMatch(/^heapwatch: cannot write the snapshot: ENOSPC/);
    expect(lines).toHaveLength(3);
    expect(readdirSync(disk)).toEqual([]);
    // the target is still running and holds nothing on that disk
    expect(target.child.exitCode).toBeNull();
    expect(statfsSync(disk).bfree).toBe(freeBefore);
    expect((await target.state()).inspectorUrl).toBeNull();
  });
});
