// The guard's private socket: the whole live view of a process that has no inspector to open, and nobody else in.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTER_CJS, removeTempDirs, tempDir } from '../guard/helpers.js';
import { nodeBinary } from '../snapshot/node-versions.js';
import { CJS_TARGET, killAll, ROOT, runCli, startTarget, type Target } from './helpers.js';

const isRoot = process.getuid?.() === 0;
const otherUser = `hwsock${process.pid}`;
let other: { uid: number; gid: number } | undefined;

beforeAll(() => {
  if (!isRoot) return;
  execFileSync('useradd', ['-M', '-N', '-s', '/usr/sbin/nologin', otherUser]);
  other = {
    uid: Number(execFileSync('id', ['-u', otherUser], { encoding: 'utf8' })),
    gid: Number(execFileSync('id', ['-g', otherUser], { encoding: 'utf8' })),
  };
});

afterAll(() => {
  killAll();
  removeTempDirs();
  if (other) spawnSync('userdel', [otherUser]);
});

/** A folder other users may pass through (0755), so only the guard's own 0700 folder and 0600 socket keep them out. */
function openBase(prefix: string): string {
  const dir = tempDir(prefix);
  chmodSync(dir, 0o755);
  return dir;
}

/** The path the process listens on as a Unix socket named <pid>.sock, from /proc/<pid>/net/unix. */
function listeningGuardSocket(pid: number): string | undefined {
  return readFileSync(`/proc/${pid}/net/unix`, 'utf8')
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[7])
    .find((p) => p?.endsWith(`/${pid}.sock`));
}

/** Tries to connect to a Unix socket as another user; resolves with what happened (connected, or the errno). */
function connectAs(user: { uid: number; gid: number }, path: string): string {
  const script = `require('node:net').createConnection(${JSON.stringify(path)}).on('connect', () => { console.log('connected'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(0); });`;
  const r = spawnSync(process.execPath, ['-e', script], { uid: user.uid, gid: user.gid, encoding: 'utf8', cwd: '/' });
  return r.stdout.trim() || r.stderr.trim();
}

describe('a guarded process started with --disable-sigusr1 (Node 24)', () => {
  let target: Target;
  let base: string;
  let socket: string;

  beforeAll(async () => {
    base = openBase('sock');
    const dumps = tempDir('sock-dumps');
    target = await startTarget(
      ['--disable-sigusr1', '--expose-gc', '--require', REGISTER_CJS],
      CJS_TARGET,
      { TMPDIR: base, HEAPWATCH_DIR: dumps, XDG_RUNTIME_DIR: '' },
      { node: nodeBinary(24) },
    );
    await target.state(); // one event-loop turn: the socket has its final mode
    socket = join(base, `heapwatch-${process.getuid?.()}`, `${target.pid}.sock`);
  });

  it('listens on <pid>.sock in a 0700 folder of its user, the socket 0600, and ps marks it', async () => {
    expect(listeningGuardSocket(target.pid)).toBe(socket);
    const dir = lstatSync(join(socket, '..'));
    expect(dir.isDirectory() && (dir.mode & 0o777) === 0o700 && dir.uid === process.getuid?.()).toBe(true);
    expect(lstatSync(socket).mode & 0o777).toBe(0o600);
    const ps = await runCli(['ps', '--json']);
    const row = JSON.parse(ps.stdout).processes.find((p: { pid: number }) => p.pid === target.pid);
    expect(row).toMatchObject({ guardSocket: socket, inspector: null });
    const table = await runCli(['ps']);
    expect(table.stdout.split('\n').find((l) => l.trimStart().startsWith(`${target.pid} `))).toMatch(
      /\d+s\s+socket\s+-\s+/,
    );
  });

  it('gives gc, GC events, dump and histo over the socket, without ever opening an inspector', async () => {
    const gc = await runCli(['gc', String(target.pid), '100ms', '3', '--json']);
    expect(gc.code).toBe(0);
    const rows = gc.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => r.pid)).toEqual([target.pid, target.pid, target.pid]);
    expect(rows[0].spaces.old_space.used).toBeGreaterThan(0);

    // GC events: subscribed only while sampling; a forced scavenge and mark-compact in the target reach the sampler
    // from dist/: src/live reaches the guard's .cts files, which only the build turns into .cjs
    const { openLive } = (await import(
      `${ROOT}dist/live/live-target.js`
    )) as typeof import('../../src/live/live-target.js');
    const live = await openLive(String(target.pid));
    try {
      expect(live.via).toBe('socket');
      const sampler = await live.startSampler(100);
      await sampler.sample();
      expect(await target.ask('gc')).toBe('gc done');
      const kinds = new Set<string>();
      for (let i = 0; i < 50 && !kinds.has('major'); i++) {
        for (const e of (await sampler.sample()).gcEvents) kinds.add(e.kind);
      }
      expect(kinds.has('major')).toBe(true);
    } finally {
      await live.detach();
    }

    const out = join(tempDir('sock-out'), 'live.heapsnapshot');
    const dump = await runCli(['dump', String(target.pid), '-o', out, '--gc', '--json']);
    expect(dump.code, dump.stderr).toBe(0);
    const result = JSON.parse(dump.stdout);
    expect(result).toMatchObject({ file: out, method: 'target-wrote', via: 'socket' });
    const st = lstatSync(out);
    expect([st.mode & 0o777, st.size, st.uid]).toEqual([0o600, result.bytes, process.getuid?.()]);
    expect(readFileSync(out, 'latin1').slice(0, 12)).toBe('{"snapshot":');

    const histo = await runCli(['histo', String(target.pid), '--json', '--top', '3']);
    expect(histo.code, histo.stderr).toBe(0);
    expect(JSON.parse(histo.stdout).schema).toBe('heapwatch/histo@1');

    expect(target.stderr()).not.toMatch(/Debugger listening/);
    expect(await target.state()).toMatchObject({ names: [], symbols: ['Symbol(heapwatch.guard)'], inspectorUrl: null });
  });

  it('refuses every other user: the folder is 0700 and the socket 0600', () => {
    if (!other) return void console.warn('skipped: not root, cannot create a second user');
    expect(connectAs(other, socket)).toBe('EACCES');
    // even with the folder opened up, the socket itself lets nobody else write to it
    chmodSync(join(socket, '..'), 0o755);
    try {
      expect(connectAs(other, socket)).toBe('EACCES');
    } finally {
      chmodSync(join(socket, '..'), 0o700);
    }
  });

  it('answers bad requests with an error and never writes a file it was not lent; the app runs on', async () => {
    const conn = createConnection(socket);
    conn.setEncoding('utf8');
    let got = '';
    const answers = (n: number) =>
      new Promise<Record<string, unknown>[]>((resolve) => {
        const check = () => {
          const lines = got.split('\n').filter(Boolean);
          if (lines.length >= n) resolve(lines.map((l) => JSON.parse(l)));
        };
        conn.on('data', (d: string) => {
          got += d;
          check();
        });
      });
    const passwd = lstatSync('/etc/passwd');
    const six = answers(6);
    conn.write('not json\n');
    conn.write(`${JSON.stringify({ v: 1, id: 2, op: 'dump', path: '/etc/passwd', dev: 1, ino: 1 })}\n`);
    conn.write(`${JSON.stringify({ v: 1, id: 3, op: 'nope' })}\n`);
    conn.write(`${JSON.stringify({ v: 1, id: 4, op: 'sampling-profile' })}\n`);
    conn.write(`${JSON.stringify({ v: 1, id: 5, op: 'start-sampling', interval: -1 })}\n`);
    conn.write(`${JSON.stringify({ v: 1, id: 6, op: 'stop-sampling' })}\n`);
    expect(await six).toEqual([
      { v: 1, id: -1, ok: false, error: 'not a JSON line' },
      { v: 1, id: 2, ok: false, error: '/etc/passwd is not the empty file heapwatch created' },
      { v: 1, id: 3, ok: false, error: 'unknown op nope' },
      { v: 1, id: 4, ok: false, error: 'sampling is not started on this connection' },
      { v: 1, id: 5, ok: false, error: 'start-sampling needs a positive integer interval (bytes)' },
      { v: 1, id: 6, ok: true, result: false },
    ]);
    expect(lstatSync('/etc/passwd')).toMatchObject({ size: passwd.size, mtimeMs: passwd.mtimeMs });
    // a line that never ends is cut off at 64 KB: that connection closes, the app and its socket go on
    const closed = new Promise((resolve) => conn.once('close', resolve));
    conn.write('x'.repeat(70 * 1024));
    await closed;
    expect((await target.state()).inspectorUrl).toBeNull();
    const again = await runCli(['gc', String(target.pid), '100ms', '1', '--json']);
    expect(again.code, again.stderr).toBe(0);
  });

  it('removes its socket when the process exits', async () => {
    target.send('exit');
    expect(await target.exited).toMatchObject({ code: 0 });
    expect(() => lstatSync(socket)).toThrow(/ENOENT/);
  });
});

describe('a guarded process of another user, dumped by root over its socket', () => {
  it('writes into the one file root lends it; the dump ends up root-owned, 0600, complete; an unreachable folder is refused', async () => {
    if (!other) return void console.warn('skipped: not root, cannot create a second user');
    const user = other;
    // outside the tests' own TMPDIR (0700, root): the other user must be able to pass through to its folders
    const outer = mkdtempSync('/tmp/heapwatch-xuser-');
    try {
      chmodSync(outer, 0o755);
      const own = (name: string, mode: number, uid = user.uid, gid = user.gid): string => {
        const dir = join(outer, name);
        mkdirSync(dir, { mode });
        chmodSync(dir, mode);
        chownSync(dir, uid, gid);
        return dir;
      };
      const target = await startTarget(
        ['--require', REGISTER_CJS],
        CJS_TARGET,
        { TMPDIR: own('tmp', 0o700), HEAPWATCH_DIR: own('dumps', 0o700), XDG_RUNTIME_DIR: '' },
        { uid: user.uid, gid: user.gid },
      );
      await target.state();
      const out = join(own('out', 0o755, 0, 0), 'service.heapsnapshot');
      const r = await runCli(['dump', String(target.pid), '-o', out, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ file: out, via: 'socket', method: 'target-wrote' });
      const st = lstatSync(out);
      expect([st.uid, st.mode & 0o777]).toEqual([0, 0o600]);
      expect(readFileSync(out, 'latin1').slice(0, 12)).toBe('{"snapshot":');
      expect(readdirSync(join(outer, 'out'))).toEqual(['service.heapsnapshot']);

      const hidden = join(own('private', 0o700, 0, 0), 'service.heapsnapshot');
      const denied = await runCli(['dump', String(target.pid), '-o', hidden]);
      expect(denied.code).toBe(1);
      expect(denied.stderr).toContain(
        `process ${target.pid} runs as uid ${user.uid} and cannot reach ${join(outer, 'private')}`,
      );
      expect(readdirSync(join(outer, 'private'))).toEqual([]);
      target.child.kill('SIGKILL');
    } finally {
      rmSync(outer, { recursive: true, force: true });
    }
  });
});

describe('a runtime folder another user prepared', () => {
  it('is refused: the guard keeps no socket rather than listen in a folder it does not own', async () => {
    if (!other) return void console.warn('skipped: not root, cannot create a second user');
    const base = openBase('sock-trap');
    const trap = join(base, `heapwatch-${process.getuid?.()}`);
    mkdirSync(trap, { mode: 0o700 });
    chownSync(trap, other.uid, other.gid);
    const target = await startTarget(['--require', REGISTER_CJS], CJS_TARGET, {
      TMPDIR: base,
      HEAPWATCH_DIR: tempDir('sock-trap-dumps'),
      XDG_RUNTIME_DIR: '',
    });
    await target.state();
    expect(target.stderr()).toContain(`live socket off: unsafe runtime folder: ${trap} belongs to uid ${other.uid}`);
    expect(listeningGuardSocket(target.pid)).toBeUndefined();
    target.child.kill('SIGKILL');
  });
});

/** Starts `heapwatch gc <pid> 100ms …`, waits for its first row, SIGKILLs it; returns its stderr. */
async function killedWhileAttached(pid: number, extra: string[]): Promise<string> {
  const child = spawn(process.execPath, [`${ROOT}bin/heapwatch.js`, 'gc', String(pid), '100ms', ...extra], {
    cwd: ROOT,
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.split('\n').length > 2) resolve(); // the header and a first row
    });
    child.on('exit', () => reject(new Error(`heapwatch gc ended early: ${stderr}`)));
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  return stderr;
}

describe('an inspector opened by a heapwatch that was SIGKILLed', () => {
  it('is closed by the next run against that process, over the socket or over the inspector', async () => {
    const target = await startTarget(['--inspect-port=0', '--require', REGISTER_CJS], CJS_TARGET, {
      TMPDIR: openBase('sock-kill'),
      HEAPWATCH_DIR: tempDir('sock-kill-dumps'),
    });
    const first = await killedWhileAttached(target.pid, ['--inspector']);
    expect(first).toMatch(/opened the inspector of process \d+ on 127\.0\.0\.1:\d+ .*any local user can connect/);
    expect((await target.state()).inspectorUrl).not.toBeNull();

    const bySocket = await runCli(['gc', String(target.pid), '100ms', '1']);
    expect(bySocket.code, bySocket.stderr).toBe(0);
    expect(bySocket.stderr).toContain(`closed the inspector an earlier heapwatch opened in process ${target.pid}`);
    expect((await target.state()).inspectorUrl).toBeNull();

    await killedWhileAttached(target.pid, ['--inspector']);
    expect((await target.state()).inspectorUrl).not.toBeNull();
    const byInspector = await runCli(['gc', String(target.pid), '100ms', '1', '--inspector']);
    expect(byInspector.code, byInspector.stderr).toBe(0);
    expect((await target.state()).inspectorUrl).toBeNull();
    target.child.kill('SIGKILL');
  });
});

describe('a program named node that is not Node.js', () => {
  it('is never sent SIGUSR1, even when it traps it', async () => {
    const dir = tempDir('fake-node');
    const fake = join(dir, 'node');
    execFileSync('cp', ['/bin/bash', fake]);
    const child = spawn(fake, ['-c', 'trap "echo USR1" USR1; echo ready; while :; do sleep 0.05; done'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    await new Promise<void>((resolve) =>
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('ready')) resolve();
      }),
    );
    try {
      const r = await runCli(['gc', String(child.pid), '100ms', '1', '--timeout', '3000']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`/proc/${child.pid}/exe is not a Node.js binary; heapwatch will not send it SIGUSR1`);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
