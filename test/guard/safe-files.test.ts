// Files the guard and the CLI create, attacked the way a second local user would attack them (a user made here
// with useradd, its steps run through runuser), and moved across file systems onto a disk that is too small
// (a real tmpfs). Nothing is ever written through someone else's symlink, and a dump is complete under its final
// name or absent.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../live/helpers.js';
import { handWritten, serializeV8Style } from '../snapshot/helpers.js';
import { REGISTER_CJS, REPO, removeTempDirs, startNode, tempDir } from './helpers.js';

const { dumpFileName } = await import(join(REPO, 'dist/guard/dump-files.cjs'));

const attacker = `hwatk${process.pid % 100000}`;
let noAttacker: string | null = null;
// a folder every user can write to, like /tmp (sticky), outside the tests' private 0700 TMPDIR
const shared = mkdtempSync('/tmp/heapwatch-shared-');
const mounted: string[] = [];

beforeAll(() => {
  chmodSync(shared, 0o1777);
  if (process.getuid?.() !== 0) {
    noAttacker = 'not root: cannot create a second user';
    return;
  }
  const r = spawnSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', attacker], { encoding: 'utf8' });
  if (r.status !== 0) noAttacker = `useradd failed: ${r.stderr.trim()}`;
});
afterAll(() => {
  if (!noAttacker) spawnSync('userdel', [attacker]);
  for (const m of mounted) spawnSync('umount', ['-l', m]);
  rmSync(shared, { recursive: true, force: true });
  removeTempDirs();
});

/** Runs a command as the second user. */
function asAttacker(command: string, ...args: string[]): void {
  execFileSync('runuser', ['-u', attacker, '--', command, ...args], { stdio: 'pipe' });
}

/** A root-owned file the attacker wants overwritten. */
function victimFile(): { path: string; text: string } {
  const path = join(tempDir('victim'), 'precious.conf');
  const text = 'root-owned, must never change\n';
  writeFileSync(path, text, { mode: 0o644 });
  return { path, text };
}

/** A tmpfs of `size` at a fresh folder, or the reason there cannot be one. */
function smallDisk(size: string): string | { skip: string } {
  const dir = tempDir('small-disk');
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return { skip: `cannot mount a tmpfs (needs root): ${r.stderr.trim()}` };
  mounted.push(dir);
  return dir;
}

describe('a second local user against files heapwatch creates as root', () => {
  it("the guard's marker is never written through a symlink planted under its name (HEAPWATCH_DIR=/tmp style)", async (ctx) => {
    if (noAttacker) return ctx.skip(noAttacker);
    const victim = victimFile();
    // the app learns its pid, the attacker plants the marker's name, then the app loads the guard
    const app = spawn(
      process.execPath,
      [
        '-e',
        `process.stdout.write('pid ' + process.pid + '\\n');
         process.stdin.once('data', () => { require(${JSON.stringify(REGISTER_CJS)}); process.stdout.write('loaded\\n'); process.exit(0); });`,
      ],
      { cwd: shared, env: { ...process.env, HEAPWATCH_DIR: shared, HEAPWATCH_NEAR_LIMIT: '0' } },
    );
    let stdout = '';
    let stderr = '';
    app.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const pid = await new Promise<number>((resolve) =>
      app.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        const m = /pid (\d+)\n/.exec(stdout);
        if (m) resolve(Number(m[1]));
      }),
    );
    const exited = new Promise((resolve) => app.on('close', resolve));
    const marker = join(shared, `.heapwatch-${pid}.json`);
    asAttacker('ln', '-s', victim.path, marker);
    app.stdin.write('go\n');
    await exited;
    expect(stdout).toBe(`pid ${pid}\nloaded\n`);
    expect(readFileSync(victim.path, 'utf8')).toBe(victim.text);
    expect(stderr).toBe(`heapwatch: guard off: cannot use ${shared}: ${marker}: exists and is not a regular file\n`);
    expect(statSync(victim.path).mode & 0o777).toBe(0o644);
  });

  it("a symlink planted under a Node-named snapshot's name is never followed, moved or chmodded", async (ctx) => {
    if (noAttacker) return ctx.skip(noAttacker);
    const victim = victimFile();
    const dead = startNode(['-e', '0'], {}, shared);
    await dead.exited;
    const pid = dead.proc.pid!;
    // a dead "guarded" process in a shared folder: the attacker writes its marker and a snapshot-named link
    asAttacker('sh', '-c', `echo '{"app":"x"}' > ${shared}/.heapwatch-${pid}.json`);
    const link = join(shared, `Heap.20261122.010203.${pid}.0.001.heapsnapshot`);
    asAttacker('ln', '-s', victim.path, link);
    const next = startNode(['--require', REGISTER_CJS, '-e', '0'], { HEAPWATCH_DIR: shared }, shared);
    await next.exited;
    expect(next.stderr()).toBe('');
    expect(readFileSync(victim.path, 'utf8')).toBe(victim.text);
    expect(statSync(victim.path).mode & 0o777).toBe(0o644);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readdirSync(shared).filter((n) => n.startsWith('x-'))).toEqual([]);
  });

  it('a report is never written through a symlink planted under its name', async (ctx) => {
    if (noAttacker) return ctx.skip(noAttacker);
    const victim = victimFile();
    const snapshot = join(tempDir('report-input'), 'in.heapsnapshot');
    writeFileSync(snapshot, serializeV8Style(handWritten()));
    const report = join(shared, 'hwreport.html');
    asAttacker('ln', '-s', victim.path, report);
    const r = await runCli(['analyze', snapshot, '--html', report]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^heapwatch: .*${report}: exists and is not a regular file\\n$`));
    expect(readFileSync(victim.path, 'utf8')).toBe(victim.text);
    // and nothing of ours was left in the shared folder
    expect(readdirSync(shared).filter((n) => n.includes('hwreport'))).toEqual(['hwreport.html']);
  });
});

describe('near-heap-limit snapshots moved to a dump folder on another file system', () => {
  /** A snapshot under Node's own name for a dead guarded pid in `cwd`, with its marker in `dir`. */
  async function deadGuardedSnapshot(cwd: string, dir: string): Promise<{ pid: number; source: string }> {
    const dead = startNode(['-e', '0'], {}, cwd);
    await dead.exited;
    const pid = dead.proc.pid!;
    const source = join(cwd, `Heap.20261122.010203.${pid}.0.001.heapsnapshot`);
    await startNode(['-e', `require('v8').writeHeapSnapshot(${JSON.stringify(source)})`], {}, cwd).exited;
    writeFileSync(join(dir, `.heapwatch-${pid}.json`), JSON.stringify({ app: 'checkout', pid }));
    return { pid, source };
  }

  it('too small a dump folder: near-limit snapshots are off at start, said with the folder that is short', async (ctx) => {
    const disk = smallDisk('1m');
    if (typeof disk !== 'string') return ctx.skip(disk.skip);
    const cwd = tempDir('big-cwd');
    const app = startNode(['--require', REGISTER_CJS, '-e', '0'], { HEAPWATCH_DIR: disk }, cwd);
    await app.exited;
    expect(app.stderr()).toMatch(
      new RegExp(`^heapwatch: near-heap-limit snapshots off: [\\d.]+ [KM]B free on ${disk}, a snapshot needs about`),
    );
  });

  it('a copy that does not fit leaves nothing under the final name and the snapshot where Node wrote it', async (ctx) => {
    const disk = smallDisk('2m');
    if (typeof disk !== 'string') return ctx.skip(disk.skip);
    const cwd = tempDir('adopt-cwd');
    const { source } = await deadGuardedSnapshot(cwd, disk);
    const size = statSync(source).size;
    expect(size).toBeGreaterThan(2 * 1048576); // Node 20: ~4 MB for an empty program
    const next = startNode(['--require', REGISTER_CJS, '-e', '0'], { HEAPWATCH_DIR: disk }, cwd);
    await next.exited;
    expect(next.stderr()).toMatch(
      new RegExp(
        `heapwatch: adopting earlier heap snapshots failed: not moved from ${source}: [\\d.]+ [KM]B free on ${disk}`,
      ),
    );
    expect(readdirSync(disk).filter((n) => n.includes('heapsnapshot'))).toEqual([]);
    expect(statSync(source).size).toBe(size);
  });

  it('after a copy killed midway, the next start keeps the whole snapshot and removes the leftover temp', async (ctx) => {
    const disk = smallDisk('32m');
    if (typeof disk !== 'string') return ctx.skip(disk.skip);
    const cwd = tempDir('killed-cwd');
    const { pid, source } = await deadGuardedSnapshot(cwd, disk);
    const original = readFileSync(source);
    const finalName: string = dumpFileName('checkout', pid, statSync(source).mtime, 'near-heap-limit');
    // what a copier SIGKILLed after 1 MB leaves: a random temp beside the final name
    const leftover = join(disk, `.${finalName}.0123456789ab.tmp`);
    writeFileSync(leftover, original.subarray(0, 1048576), { mode: 0o600 });
    const next = startNode(['--require', REGISTER_CJS, '-e', '0'], { HEAPWATCH_DIR: disk }, cwd);
    await next.exited;
    expect(next.stderr()).toContain(`near-heap-limit heap snapshot: ${join(disk, finalName)}`);
    expect(readdirSync(disk)).toEqual([finalName]);
    expect(readFileSync(join(disk, finalName)).equals(original)).toBe(true);
    expect(statSync(join(disk, finalName)).mode & 0o777).toBe(0o600);
    expect(readdirSync(cwd).filter((n) => n.startsWith('Heap.'))).toEqual([]);
  });
});
