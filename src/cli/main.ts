import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { HeapwatchError } from '../errors.js';
import { commandsFor, type RegisterCommand } from './commands/index.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** `heapwatch --version` alone answers before commander and the commands are loaded (~70 ms of a 0.2 s start). */
function onlyVersion(argv: readonly string[]): boolean {
  return argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V');
}

export async function buildProgram(commands: readonly RegisterCommand[]): Promise<Command> {
  const { Command } = await import('commander');
  const program = new Command('heapwatch')
    .description('Memory diagnostics for Node.js: live heap and GC, heap dumps, and offline heap snapshot analysis')
    .version(version())
    .option('--debug', 'print stack traces of errors')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (str, write) => write(`heapwatch: ${str.replace(/^error: /, '')}`) })
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/** Maps every failure to one line on stderr and an exit code: 2 bad usage/input, 1 run-time failure. */
export async function main(argv: string[]): Promise<void> {
  if (onlyVersion(argv)) {
    process.stdout.write(`${version()}\n`);
    return;
  }
  const debug = argv.includes('--debug');
  const [{ CommanderError }, commands] = await Promise.all([import('commander'), commandsFor(argv)]);
  const program = await buildProgram(commands);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and --version exit 0; commander already printed its usage message
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    if (err instanceof HeapwatchError) {
      process.stderr.write(`heapwatch: ${err.message}\n`);
      if (debug && err.stack) process.stderr.write(`${err.stack}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    const e = err as Error;
    process.stderr.write(`heapwatch: internal error: ${e?.message ?? String(err)}\n`);
    if (debug && e?.stack) process.stderr.write(`${e.stack}\n`);
    process.exitCode = 1;
  }
}
