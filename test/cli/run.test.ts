import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { idleApp, LEAKY_APP, REPO, removeTempDirs, startNode, tempDir, writeApp } from '../guard/helpers.js';

afterAll(removeTempDirs);

const CLI = join(REPO, 'bin/heapwatch.js');
const STAMP = '\\d{8}T\\d{6}\\.\\d{3}Z';
const mode = (path: string) => statSync(path).mode & 0o777;

function heapwatchRun(args: string[], cwd: string) {
  return startNode([CLI, 'run', ...args], {}, cwd);
}

describe('heapwatch run', () => {
  it('passes stdio through and keeps the exit code; a clean exit adds nothing', async () => {
    const dir = tempDir('run-clean');
    const ok = heapwatchRun(
      ['--dir', dir, '--', process.execPath, '-e', 'console.log("out"); console.error("err")'],
      dir,
    );
    expect((await ok.exited).code).toBe(0);
    expect(ok.stdout()).toBe('out\n');
    expect(ok.stderr()).toBe('err\n');

    const seven = heapwatchRun(['--dir', dir, '--', process.execPath, '-e', 'process.exit(7)'], dir);
    expect((await seven.exited).code).toBe(7);
    expect(seven.stderr()).toContain(`heapwatch: ${process.execPath} -e process.exit(7) exited with code 7`);
    expect(seven.stderr()).toContain('heapwatch: no heap snapshot was written');
  });

  it('after an out-of-memory crash: names the near-limit dump and the report, analyses the dump', async () => {
    const work = tempDir('run-oom');
    const dir = join(work, 'dumps');
    const app = writeApp(work, 'orders.cjs', LEAKY_APP);
    const run = heapwatchRun(['--dir', dir, '--max-old-space-size', '24', '--', process.execPath, app], work);
    const { code } = await run.exited;
    expect(code).toBe(134); // SIGABRT, as a shell reports it
    const err = run.stderr();
    expect(err).toContain('JavaScript heap out of memory');
    expect(err).toContain(`heapwatch: ${process.execPath} ${app} was killed by SIGABRT`);
    const snap = new RegExp(
      `heapwatch: near-heap-limit heap snapshot: (${dir}/orders-(\\d+)-${STAMP}-near-heap-limit\\.heapsnapshot) \\(`,
    );
    const m = err.match(snap);
    expect(m).not.toBeNull();
    const [, dumpPath, pid] = m!;
    expect(mode(dumpPath)).toBe(0o600);
    // Node's fatal-error report, renamed and closed to others
    const report = readdirSync(dir).find((n) => n.endsWith('.report.json'))!;
    expect(report).toMatch(new RegExp(`^orders-${pid}-${STAMP}-oom-error\\.report\\.json$`));
    expect(mode(join(dir, report))).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, report), 'utf8')).header.processId).toBe(Number(pid));
    expect(err).toContain(`heapwatch: diagnostic report: ${join(dir, report)}`);
    // the analysis: the leaking Map is the suspect, and the HTML report sits next to the dump
    expect(err).toContain(`heapwatch: analysis of ${dumpPath}:`);
    // (the snapshot may catch the Map mid-rehash, its new table still on a handle scope: either way the
    // first suspect holds most of the heap and what accumulates there is the orders)
    const suspect = err.match(/Leak suspects\n {2}1\. .* retains [\d.]+ MB \(([\d.]+)% of the heap\)\n(.*)\n/);
    expect(suspect).not.toBeNull();
    expect(Number(suspect![1])).toBeGreaterThan(50);
    expect(suspect![2]).toMatch(/accumulates in .* @\d+ \([\d.]+ MB\): [\d,]+ × \{id, payload\}/);
    const html = dumpPath.replace(/\.heapsnapshot$/, '.html');
    expect(err).toContain(`heapwatch: HTML report: ${html}`);
    expect(mode(html)).toBe(0o600);
    expect(readFileSync(html, 'utf8')).toMatch(/^<!doctype html>/i);
    expect(readdirSync(dir).filter((n) => n.startsWith('Heap.') || n.startsWith('report.'))).toEqual([]);
  });

  it('reports a dump cut off mid-write as partial and does not analyse it', async () => {
    const dir = tempDir('run-partial');
    const source = `${idleApp(3, true)}\nprocess.kill(process.pid, 'SIGUSR2');`;
    const app = writeApp(dir, 'cut.cjs', source);
    const run = heapwatchRun(['--dir', dir, '--signal', 'SIGUSR2', '--', process.execPath, app], dir);
    expect((await run.exited).code).toBe(137); // SIGKILL
    const err = run.stderr();
    const m = err.match(/signal heap snapshot is PARTIAL \(cut off[^)]*\), not analysed: (\S+\.heapsnapshot\.partial)/);
    expect(m).not.toBeNull();
    expect(mode(m![1])).toBe(0o600);
    expect(err).not.toContain('analysis of');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp') || n.endsWith('.heapsnapshot'))).toEqual([]);
  });

  it('a dump that is whole but not a valid snapshot gets one error line, and the exit code stays', async () => {
    const dir = tempDir('run-bad-dump');
    const writeBad = `require('fs').writeFileSync(require('path').join(process.env.HEAPWATCH_DIR,
      'bad-' + process.pid + '-20261122T000000.000Z-signal.heapsnapshot'),
      '{"snapshot":{"meta":{}},"nodes":[1,2],"strings":["x"]}', { mode: 0o600 }); process.exit(3);`;
    const run = heapwatchRun(['--dir', dir, '--', process.execPath, '-e', writeBad], dir);
    expect((await run.exited).code).toBe(3);
    const err = run.stderr();
    expect(err).toMatch(/heapwatch: signal heap snapshot: \S+bad-\d+-20261122T000000\.000Z-signal\.heapsnapshot \(/);
    const last = err.trim().split('\n').at(-1)!;
    expect(last).toMatch(/^heapwatch: .+ \(\S+bad-\d+-20261122T000000\.000Z-signal\.heapsnapshot:\d+\)$/);
    expect(err).not.toContain('Leak suspects');
    expect(err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('wires the guard into an ESM app too (dump folder with a space and a quote), and --json ends with the result', async () => {
    const work = tempDir('run-esm');
    const dir = join(work, 'dumps of "worker"');
    const app = writeApp(
      work,
      'worker.mjs',
      `process.kill(process.pid, 'SIGUSR2');\nawait new Promise((r) => setTimeout(r, 100));\nconsole.log('done');\n`,
    );
    const run = heapwatchRun(['--dir', dir, '--signal', 'SIGUSR2', '--json', '--', process.execPath, app], work);
    expect((await run.exited).code).toBe(0);
    const lines = run.stdout().trim().split('\n');
    expect(lines[0]).toBe('done');
    const result = JSON.parse(lines.at(-1)!);
    expect(result).toMatchObject({ schema: 'heapwatch/run@1', exitCode: 0, signal: null, dir, analysis: null });
    expect(result.dumps).toHaveLength(1);
    expect(result.dumps[0]).toMatchObject({ reason: 'signal', complete: true });
    expect(result.dumps[0].path).toMatch(new RegExp(`/worker-\\d+-${STAMP}-signal\\.heapsnapshot$`));
  });

  it('a command that does not exist, or a refused --signal, is a usage error', async () => {
    const dir = tempDir('run-missing');
    const run = heapwatchRun(['--dir', dir, '--', 'heapwatch-no-such-command'], dir);
    expect((await run.exited).code).toBe(2);
    expect(run.stderr()).toBe('heapwatch: cannot run heapwatch-no-such-command: command not found\n');

    const usr1 = heapwatchRun(
      ['--dir', dir, '--signal', 'SIGUSR1', '--', process.execPath, '-e', 'console.log(1)'],
      dir,
    );
    expect((await usr1.exited).code).toBe(2);
    expect(usr1.stdout()).toBe(''); // refused before anything ran
    expect(usr1.stderr()).toBe(
      'heapwatch: --signal SIGUSR1: use one of SIGUSR2, SIGHUP, SIGWINCH, SIGPWR (SIGUSR1 opens the inspector)\n',
    );
  });
});
