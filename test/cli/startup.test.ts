// A command loads only its own file: `--version` answers before commander is loaded, `heapwatch <command>` loads
// that command's file alone, help and typos load them all. Shown with a preload that makes chosen modules unloadable.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandModules, commandsFor } from '../../src/cli/commands/index.js';

const CLI = new URL('../../bin/heapwatch.js', import.meta.url).pathname;
const HOOK = new URL('./refuse-modules.mjs', import.meta.url).pathname;
const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

function heapwatch(args: string[], refuse: string[] = []) {
  const env = { ...process.env, HEAPWATCH_TEST_REFUSE: refuse.join(',') };
  delete env.HEAPWATCH_TEST_HOOKED;
  const r = spawnSync(process.execPath, ['--import', HOOK, CLI, ...args], { encoding: 'utf8', env, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('the command table', () => {
  it('names each file by the command it registers, in the order help lists them', async () => {
    for (const [name, load] of commandModules) {
      const program = new Command('heapwatch');
      (await load()).register(program);
      expect(program.commands.map((c) => c.name())).toEqual([name]);
    }
    const help = heapwatch(['--help']).out;
    const listed = [...help.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]).filter((n) => n !== 'help');
    expect(listed).toEqual(commandModules.map(([name]) => name));
  });

  it.each([
    [['redact', 'x'], 1],
    [['--debug', 'cache', 'clean'], 1],
    [['--help'], commandModules.length],
    [['redcat'], commandModules.length],
    [['help', 'redact'], commandModules.length],
    [['--', 'redact'], commandModules.length],
  ])('%j loads %i command file(s)', async (args, count) => {
    expect(await commandsFor(['node', 'heapwatch', ...args])).toHaveLength(count);
  });
});

describe('what a start loads', () => {
  it('--version and -V: the version, without commander', () => {
    for (const flag of ['--version', '-V']) {
      expect(heapwatch([flag], ['commander'])).toEqual({ code: 0, out: `${VERSION}\n`, err: '' });
    }
  });

  it('a command loads its own file only: redact runs with every other command file unloadable', () => {
    const others = commandModules.map(([name]) => `/${name}.js`).filter((f) => f !== '/redact.js');
    const r = heapwatch(
      ['redact', '/nonexistent/x.heapsnapshot', join(tmpdir(), 'never-written.heapsnapshot')],
      others,
    );
    expect(r).toEqual({ code: 2, out: '', err: 'heapwatch: no such file: /nonexistent/x.heapsnapshot\n' });
  });

  it('a typo still gets its suggestion (all commands loaded)', () => {
    expect(heapwatch(['redcat'])).toEqual({
      code: 2,
      out: '',
      err: "heapwatch: unknown command 'redcat'\n(Did you mean redact?)\n(run with --help for usage)\n",
    });
  });
});
