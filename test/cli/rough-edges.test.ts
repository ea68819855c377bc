// The rough edges a newcomer met running the commands by hand (#11): each is refused up front with one line and
// exit 2, or leaves nothing behind. No target process is needed: every check here comes before any work starts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { node, writeTinySnapshot } from '../helpers/tiny-snapshot.js';

const CLI = new URL('../../bin/heapwatch.js', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'heapwatch-rough-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function heapwatch(args: string[], cwd = work) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('gc: interval and count are checked before attaching', () => {
  it.each([
    [['1', ''], 'heapwatch: interval must look like 250ms, 1s or 2m, got: an empty string\n'],
    [['1', '99999999999999'], 'heapwatch: interval must be at most 2147483647ms (24.8 days), got: 99999999999999\n'],
    [['1', '1s', ''], 'heapwatch: count must be a positive integer, got: an empty string\n'],
    [['1', '1s', '99999999999999999999'], 'heapwatch: count must be a positive integer, got: 99999999999999999999\n'],
  ])('gc %j', (args, message) => {
    const r = heapwatch(['gc', ...args]);
    expect(r).toEqual({ code: 2, out: '', err: message });
  });
});

describe('outputs are checked before the work starts, naming the user’s path', () => {
  const snapshot = join(work, 'tiny.heapsnapshot');
  writeTinySnapshot(
    snapshot,
    [node('root', 'synthetic', '', 1, 0), node('a', 'object', 'A', 3, 100)],
    [['root', 'element', 1, 'a']],
  );

  it('analyze --html into a missing folder: one line, no analysis, no temporary name', () => {
    const r = heapwatch(['analyze', snapshot, '--html', '/nope/dir/x.html']);
    expect(r).toEqual({ code: 2, out: '', err: 'heapwatch: --html: /nope/dir: no such directory\n' });
  });

  it('analyze --html onto something that is not a regular file (/dev/full)', () => {
    const r = heapwatch(['analyze', snapshot, '--html', '/dev/full']);
    expect(r).toEqual({ code: 2, out: '', err: 'heapwatch: --html: /dev/full: exists and is not a regular file\n' });
  });

  it('dump -o into a missing folder is refused before the target is looked at', () => {
    // pid 1 is not a Node process: had the target been looked at first, that would be the message
    const r = heapwatch(['dump', '1', '-o', '/nope/dir/x.heapsnapshot']);
    expect(r).toEqual({ code: 2, out: '', err: 'heapwatch: --output: /nope/dir: no such directory\n' });
  });

  it('run --dir under a file is refused before the command starts', () => {
    writeFileSync(join(work, 'plain-file'), '');
    const marker = join(work, 'started');
    const r = heapwatch([
      'run',
      '--dir',
      'plain-file/dumps',
      '--',
      process.execPath,
      '-e',
      `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`,
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `heapwatch: --dir: ${join(work, 'plain-file/dumps')}: ${join(work, 'plain-file')} is not a directory\n`,
    );
    expect(existsSync(marker)).toBe(false);
  });
});

describe('run leaves no empty dump folder behind', () => {
  it('a command that exits cleanly: no ./heapwatch-dumps', () => {
    const cwd = mkdtempSync(join(work, 'clean-'));
    const r = heapwatch(['run', '--', process.execPath, '-e', '0'], cwd);
    expect(r.code).toBe(0);
    expect(readdirSync(cwd)).toEqual([]);
  });
});
