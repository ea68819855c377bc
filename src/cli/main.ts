import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { HeapwatchError } from '../errors.js';
import { commands } from './commands/index.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildProgram(): Command {
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
  const debug = argv.includes('--debug');
  const program = buildProgram();
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
