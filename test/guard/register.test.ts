import { copyFileSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  idleApp,
  LEAKY_APP,
  REGISTER_CJS,
  REPO,
  removeTempDirs,
  startNode,
  TIGHT_LOOP_APP,
  tempDir,
  writeApp,
} from './helpers.js';

afterAll(removeTempDirs);

const STAMP = '\\d{8}T\\d{6}\\.\\d{3}Z';
const mode = (path: string) => statSync(path).mode & 0o777;
const tail = (path: string) => {
  const buf = readFileSync(path);
  return buf.subarray(buf.length - 2).toString();
};

describe('heapwatch/register (the preload)', () => {
  it('writes the near-heap-limit snapshot into HEAPWATCH_DIR under our name, mode 0600, before the OOM', async () => {
    const work = tempDir('near-limit-cwd');
    const dir = join(tempDir('near-limit'), 'dumps'); // does not exist yet: the guard creates it 0700
    const app = writeApp(work, 'orders-service.cjs', LEAKY_APP);
    const child = startNode(['--max-old-space-size=24', '--require', REGISTER_CJS, app], { HEAPWATCH_DIR: dir }, work);
    const { code, signal } = await child.exited;
    expect(child.stderr()).toContain('JavaScript heap out of memory');
    expect(signal ?? code).not.toBe(0);
    const pid = child.proc.pid!;
    const dumps = readdirSync(dir).filter((n) => n.endsWith('.heapsnapshot'));
    // on failure, say where the snapshot is (left under Node's name?) and what the guard printed
    expect(
      dumps,
      `${dir}: ${readdirSync(dir)}; ${work}: ${readdirSync(work)}; ${child.stderr().slice(0, 800)}`,
    ).toHaveLength(1);
    expect(dumps[0]).toMatch(new RegExp(`^orders-service-${pid}-${STAMP}-near-heap-limit\\.heapsnapshot$`));
    expect(child.stderr()).toContain(`near-heap-limit heap snapshot: ${join(dir, dumps[0])}`);
    expect(mode(join(dir, dumps[0]))).toBe(0o600);
    expect(mode(dir)).toBe(0o700);
    expect(tail(join(dir, dumps[0]))).toBe(']}');
    // Node wrote it into the working directory with its own name; nothing is left there
    expect(readdirSync(work).filter((n) => n.startsWith('Heap.'))).toEqual([]);
    // the fatal-error report went to the same folder
    expect(readdirSync(dir).filter((n) => new RegExp(`^report\\.\\d{8}\\.\\d{6}\\.${pid}\\.`).test(n))).toHaveLength(1);
  });

  it('names the near-limit dump even when the app never yields again after it (the rescuer thread)', async () => {
    const work = tempDir('tight-cwd');
    const dir = tempDir('tight');
    const app = writeApp(work, 'tight.cjs', TIGHT_LOOP_APP);
    const child = startNode(['--max-old-space-size=24', '--require', REGISTER_CJS, app], { HEAPWATCH_DIR: dir }, work);
    await child.exited;
    expect(child.stdout()).toBe('tight loop\n'); // the crash came from the loop that never yields
    expect(child.stderr()).toContain('JavaScript heap out of memory');
    const pid = child.proc.pid!;
    const dumps = readdirSync(dir).filter((n) => n.endsWith('.heapsnapshot'));
    expect(dumps).toHaveLength(1);
    expect(dumps[0]).toMatch(new RegExp(`^tight-${pid}-${STAMP}-near-heap-limit\\.heapsnapshot$`));
    expect(tail(join(dir, dumps[0]))).toBe(']}');
    expect(readdirSync(work).filter((n) => n.startsWith('Heap.'))).toEqual([]);
  });

  it('writes a snapshot on HEAPWATCH_SIGNAL without stopping the app, and keeps only HEAPWATCH_MAX_DUMPS', async () => {
    const dir = tempDir('signal');
    const app = writeApp(dir, 'api.cjs', idleApp(1));
    const env = { HEAPWATCH_DIR: dir, HEAPWATCH_SIGNAL: 'SIGUSR2', HEAPWATCH_MAX_DUMPS: '2' };
    const child = startNode(['--require', REGISTER_CJS, app], env, dir);
    try {
      await child.waitFor('stdout', /ready/);
      const written: string[] = [];
      for (let n = 1; n <= 3; n++) {
        child.proc.kill('SIGUSR2');
        const all = await child.waitFor('stderr', new RegExp(`(?:signal heap snapshot: (\\S+) .*\\n[^]*){${n}}`));
        const paths = [...all[0].matchAll(/signal heap snapshot: (\S+) /g)].map((m) => m[1]);
        written.push(paths[n - 1]);
      }
      const pid = child.proc.pid!;
      for (const path of written) expect(path).toMatch(new RegExp(`/api-${pid}-${STAMP}-signal\\.heapsnapshot$`));
      expect(new Set(written).size).toBe(3);
      // retention: the oldest of the three is gone, the two newest are complete and 0600
      const left = readdirSync(dir)
        .filter((n) => n.endsWith('.heapsnapshot'))
        .sort();
      expect(left.map((n) => join(dir, n))).toEqual(written.slice(1).sort());
      for (const n of left) {
        expect(mode(join(dir, n))).toBe(0o600);
        expect(tail(join(dir, n))).toBe(']}');
      }
      expect(child.proc.exitCode).toBe(null); // still running
    } finally {
      child.proc.kill('SIGKILL');
      await child.exited;
    }
  });

  it('never stops the app: an unusable HEAPWATCH_DIR turns the guard off with one line', async () => {
    const dir = tempDir('baddir');
    const notADir = writeApp(dir, 'plain-file', 'x');
    const child = startNode(
      ['--require', REGISTER_CJS, '-e', 'console.log("app ran")'],
      { HEAPWATCH_DIR: notADir },
      dir,
    );
    expect((await child.exited).code).toBe(0);
    expect(child.stdout()).toBe('app ran\n');
    expect(child.stderr()).toMatch(new RegExp(`^heapwatch: guard off: cannot use ${notADir}: EEXIST[^\n]*\n$`));
  });

  it('refuses SIGUSR1 (it opens the inspector) and says so', async () => {
    const dir = tempDir('sigusr1');
    const child = startNode(
      ['--require', REGISTER_CJS, '-e', '0'],
      { HEAPWATCH_DIR: dir, HEAPWATCH_SIGNAL: 'SIGUSR1' },
      dir,
    );
    await child.exited;
    expect(child.stderr()).toContain('HEAPWATCH_SIGNAL=SIGUSR1 refused (SIGUSR1 opens the inspector in Node)');
  });

  it('never presents a dump cut off mid-write as complete: the next guarded start renames it .partial', async () => {
    const dir = tempDir('partial');
    const app = writeApp(dir, 'big.cjs', idleApp(3, true));
    const child = startNode(['--require', REGISTER_CJS, app], { HEAPWATCH_DIR: dir, HEAPWATCH_SIGNAL: 'SIGUSR2' }, dir);
    await child.waitFor('stdout', /ready/);
    child.proc.kill('SIGUSR2');
    expect((await child.exited).signal).toBe('SIGKILL');
    const temp = readdirSync(dir).find((n) => n.endsWith('.tmp'));
    expect(temp).toBeDefined();
    expect(statSync(join(dir, temp!)).size).toBeGreaterThan(1048576);
    expect(temp).toMatch(/^\..+\.heapsnapshot\.[0-9a-f]{12}\.tmp$/); // a random name, not a predictable one
    const finalName = temp!.slice(1).replace(/\.[0-9a-f]{12}\.tmp$/, '');
    expect(readdirSync(dir)).not.toContain(finalName);

    const next = startNode(['--require', REGISTER_CJS, '-e', '0'], { HEAPWATCH_DIR: dir }, dir);
    await next.exited;
    expect(next.stderr()).toContain(`signal heap snapshot is PARTIAL (cut off`);
    const names = readdirSync(dir);
    expect(names).toContain(`${finalName}.partial`);
    expect(names).not.toContain(finalName);
    expect(names).not.toContain(temp);
    expect(mode(join(dir, `${finalName}.partial`))).toBe(0o600);
  });

  it("adopts a dead guarded process's Node-named dump at the next start, and leaves unguarded ones alone", async () => {
    const dir = tempDir('adopt');
    const deadPid = async () => {
      const c = startNode(['-e', '0'], {}, dir);
      await c.exited;
      return c.proc.pid!;
    };
    const [guardedPid, strangerPid] = [await deadPid(), await deadPid()];
    const nodeName = (pid: number) => `Heap.20261122.010203.${pid}.0.001.heapsnapshot`;
    const writer = startNode(
      ['-e', `require('v8').writeHeapSnapshot(${JSON.stringify(join(dir, nodeName(guardedPid)))})`],
      {},
      dir,
    );
    await writer.exited;
    copyFileSync(join(dir, nodeName(guardedPid)), join(dir, nodeName(strangerPid)));
    writeFileSync(join(dir, `.heapwatch-${guardedPid}.json`), JSON.stringify({ app: 'checkout', pid: guardedPid }));

    const next = startNode(['--require', REGISTER_CJS, '-e', '0'], { HEAPWATCH_DIR: dir }, dir);
    await next.exited;
    const names = readdirSync(dir);
    const adopted = names.find((n) => n.startsWith(`checkout-${guardedPid}-`));
    expect(adopted).toMatch(new RegExp(`^checkout-${guardedPid}-${STAMP}-near-heap-limit\\.heapsnapshot$`));
    expect(next.stderr()).toContain(`near-heap-limit heap snapshot: ${join(dir, adopted!)}`);
    expect(names).not.toContain(nodeName(guardedPid));
    expect(names).not.toContain(`.heapwatch-${guardedPid}.json`);
    expect(names).toContain(nodeName(strangerPid)); // not written by a guarded process: not ours to move
  });

  it('works for an ESM app with --import heapwatch/register.mjs', async () => {
    const dir = tempDir('esm');
    const app = writeApp(dir, 'server.mjs', `${idleApp(1)}\nexport const isModule = import.meta.url !== '';\n`);
    // resolved by package name from the repo, the way a user's app resolves it from node_modules
    const child = startNode(
      ['--import', 'heapwatch/register.mjs', app],
      { HEAPWATCH_DIR: dir, HEAPWATCH_SIGNAL: 'SIGUSR2' },
      REPO,
    );
    try {
      await child.waitFor('stdout', /ready/);
      child.proc.kill('SIGUSR2');
      const m = await child.waitFor('stderr', /signal heap snapshot: (\S+) /);
      expect(m[1]).toMatch(new RegExp(`/server-${child.proc.pid}-${STAMP}-signal\\.heapsnapshot$`));
      expect(tail(m[1])).toBe(']}');
    } finally {
      child.proc.kill('SIGKILL');
      await child.exited;
    }
  });

  it('skips a dump with a line on stderr when the disk would fall below HEAPWATCH_MIN_FREE', async () => {
    const dir = tempDir('nodisk');
    const app = writeApp(dir, 'api.cjs', idleApp(1));
    const env = { HEAPWATCH_DIR: dir, HEAPWATCH_SIGNAL: 'SIGUSR2', HEAPWATCH_MIN_FREE: String(2 ** 53 - 1) };
    const child = startNode(['--require', REGISTER_CJS, app], env, dir);
    try {
      await child.waitFor('stdout', /ready/);
      expect(child.stderr()).toMatch(/near-heap-limit snapshots off: [\d.]+ [KMG]B free on /);
      child.proc.kill('SIGUSR2');
      await child.waitFor('stderr', /signal heap snapshot skipped: [\d.]+ [KMG]B free on .* needs about [\d.]+ [KMG]B/);
      expect(readdirSync(dir).filter((n) => n.includes('heapsnapshot'))).toEqual([]);
    } finally {
      child.proc.kill('SIGKILL');
      await child.exited;
    }
  });
});

describe('snapshot completeness by its tail', () => {
  it('accepts a whole snapshot and rejects it cut at any point', async () => {
    const { snapshotCompleteness } = await import(join(REPO, 'dist/guard/dump-files.cjs'));
    const dir = tempDir('tail');
    const whole = join(dir, 'whole.heapsnapshot');
    const child = startNode(['-e', `require('v8').writeHeapSnapshot(${JSON.stringify(whole)})`], {}, dir);
    await child.exited;
    expect(snapshotCompleteness(whole)).toMatchObject({ complete: true });
    const size = statSync(whole).size;
    const cut = join(dir, 'cut.heapsnapshot');
    for (const at of [1, 100, Math.floor(size / 2), size - 3, size - 2, size - 1]) {
      copyFileSync(whole, cut);
      truncateSync(cut, at);
      expect(snapshotCompleteness(cut).complete, `cut at ${at} of ${size}`).toBe(false);
    }
    // a cut right after an escaped quote and "]}" inside a string is still a cut
    writeFileSync(cut, '{"snapshot":{},"strings":["a","b\\\\\\"]}');
    expect(snapshotCompleteness(cut)).toMatchObject({ complete: false, problem: 'cut off inside a string' });
    writeFileSync(cut, '{"snapshot":{},"strings":["a","b\\\\"]}');
    expect(snapshotCompleteness(cut).complete).toBe(true);
  });
});
