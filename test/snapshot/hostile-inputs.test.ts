// Inputs someone else could hand heapwatch: a path that is not a regular file (a FIFO would hang open() forever)
// and sections nested ~150 MB deep (which used to grow the skipper's stack until V8 died with a fatal error).
// Every command that reads a file answers with one line and exit code 2; memory and depth stay bounded.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeSnapshot, nodeName } from '../../src/analysis/index.js';
import { MAX_NESTING } from '../../src/snapshot/json-skip.js';
import { readSnapshot } from '../../src/snapshot/reader.js';
import { node, writeTinySnapshot } from '../helpers/tiny-snapshot.js';
import { runCli } from '../live/helpers.js';
import { handWritten, serializeV8Style, tempDir } from './helpers.js';

const dir = tempDir('heapwatch-hostile-');
const good = join(dir, 'good.heapsnapshot');
const goodText = serializeV8Style(handWritten());
const fifo = join(dir, 'pipe.heapsnapshot');

beforeAll(() => {
  writeFileSync(good, goodText);
  execFileSync('mkfifo', [fifo]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The hand-written snapshot with one more top-level section, `"<key>":` followed by `body` repeated until the
 * file has about `mb` MB more, then `tail` and the closing brace. Streamed to disk, never held in memory.
 * Returns the file and where the section's value starts.
 */
function withBigSection(
  name: string,
  key: string,
  open: string,
  body: Buffer,
  mb: number,
  tail: string,
): { file: string; at: number } {
  const file = join(dir, name);
  const base = goodText.replace(`"${key}":[],\n`, '');
  const head = Buffer.from(`${base.trimEnd().slice(0, -1)},\n"${key}":${open}`);
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, head);
    const block = Buffer.concat(Array.from({ length: Math.max(1, Math.floor((1 << 20) / body.length)) }, () => body));
    for (let written = 0; written < mb << 20; written += block.length) writeSync(fd, block);
    writeSync(fd, `${tail}}\n`);
  } finally {
    closeSync(fd);
  }
  return { file, at: head.length };
}

describe('inputs that are not regular files', () => {
  it('are refused by every command that reads a file, with one line and exit code 2 (no hang in open)', async () => {
    const runs: [string[], string][] = [
      [['analyze', fifo], fifo],
      [['histo', fifo], fifo],
      [['node', fifo, '1'], fifo],
      [['path', fifo, '1'], fifo],
      [['diff', fifo, good], fifo],
      [['diff', good, fifo], fifo],
      [['analyze', '/dev/null'], '/dev/null'],
      [['analyze', dir], dir],
    ];
    const results = await Promise.all(runs.map(([args]) => runCli(args)));
    results.forEach((r, i) => {
      const file = runs[i][1];
      const kind = file === fifo ? 'a FIFO' : file === dir ? 'a directory' : 'a character device';
      expect({ args: runs[i][0], code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({
        args: runs[i][0],
        code: 2,
        stderr: `heapwatch: not a regular file (${kind}): ${file}\n`,
        stdout: '',
      });
    });
  });
});

describe('deeply nested sections', () => {
  it('an unknown section of 150 MB of [ is refused at the first level too deep, exit code 2', async () => {
    const { file, at } = withBigSection('deep.heapsnapshot', 'x_unknown', '', Buffer.from('['), 150, '');
    const r = await runCli(['analyze', file]);
    rmSync(file);
    // the (MAX_NESTING + 1)th bracket is the one refused
    expect({ code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({
      code: 2,
      stderr: `heapwatch: nested deeper than ${MAX_NESTING} levels (${file}:${at + MAX_NESTING})\n`,
      stdout: '',
    });
  });

  it('`samples` holding 150 MB of nesting 1,000 deep is stepped over in bounded memory and the file analysed', async () => {
    const deep = Buffer.from(`${'['.repeat(1000)}${']'.repeat(1000)},`);
    const { file } = withBigSection('samples.heapsnapshot', 'samples', '[', deep, 150, '[]]');
    const r = await runCli(['histo', file, '--json']);
    rmSync(file);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const reference = await runCli(['histo', good, '--json']);
    const rows = (text: string) => JSON.parse(text).classes;
    expect(rows(r.stdout)).toEqual(rows(reference.stdout));
    expect(rows(r.stdout).length).toBeGreaterThan(0);
  });
});

describe('crafted graphs', () => {
  it('a concatenated string whose parts lead back to itself is named in bounded steps (found by npm run fuzz)', async () => {
    const file = join(dir, 'cons-cycle.heapsnapshot');
    writeTinySnapshot(
      file,
      [
        node('root', 'synthetic', '', 1, 0),
        node('c', 'concatenated string', '', 3, 32),
        node('s', 'string', 'ab', 5, 16),
      ],
      [
        ['root', 'element', 1, 'c'],
        ['c', 'internal', 'first', 'c'],
        ['c', 'internal', 'second', 's'],
      ],
    );
    const a = analyzeSnapshot(await readSnapshot(file));
    // `first` is itself forever, so nothing is ever added: the walk stops at its step bound with what it has
    expect(nodeName(a, 1)).toBe('');
  });
});
