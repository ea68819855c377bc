import type { Command } from 'commander';
import { positiveInt } from './analysis-loader.js';

interface DemoCommandOptions {
  dir?: string;
  members: string;
  heap: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'the leaking push sender dies in a small heap under the guard, its dump names the leak; the fixed one runs flat',
    )
    .option('--dir <dir>', "folder for the dump, the HTML report and the senders' logs (default: a new temp folder)")
    .option('--members <n>', 'members the campaign is sent to', '200000')
    .option('--heap <mb>', "the senders' heap limit (--max-old-space-size), MB", '64')
    .option('--json', 'print one JSON document at the end (schema heapwatch/demo@1); the story goes to stderr')
    .action(async (opts: DemoCommandOptions) => {
      const members = positiveInt(opts.members, '--members');
      const heapMb = positiveInt(opts.heap, '--heap');
      const { mkdirSync, mkdtempSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const { join, resolve } = await import('node:path');
      const { runtimeError } = await import('../../errors.js');
      const { runDemo } = await import('../demo/story.js');
      const { runningChildren, stopAllChildren } = await import('../demo/children.js');

      let dir: string;
      if (opts.dir === undefined) dir = mkdtempSync(join(tmpdir(), 'heapwatch-demo-'));
      else {
        dir = resolve(opts.dir);
        mkdirSync(dir, { recursive: true, mode: 0o700 });
      }
      const out = opts.json ? process.stderr : process.stdout;
      const say = (line: string) => out.write(`${line}\n`);

      // Ctrl-C, SIGTERM, SIGHUP: stop the provider and the senders before going
      const onSignal = (signal: NodeJS.Signals) => {
        const left = runningChildren();
        process.stderr.write(
          `heapwatch: demo interrupted (${signal})${left.length > 0 ? `; stopping ${left.join(', ')}` : ''}\n`,
        );
        stopAllChildren(1000).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
      };
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, onSignal);

      const result = await runDemo({ dir, members, heapMb, intervalMs: 500, senderTimeoutMs: 90_000, say });
      if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      if (!result.ok) throw runtimeError(`demo did not play out as expected: ${result.problems.join('; ')}`, 'DEMO');
    });
}
