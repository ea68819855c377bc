import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { type IndexFlags, withIndexOptions } from './analysis-loader.js';

interface McpOptions extends IndexFlags {
  root?: string[];
  dumpDir?: string;
  memoryBudget?: string;
}

/** Half the machine's memory, at most 4 GB: two or three big analyses, never the whole box. */
export function defaultMemoryBudget(): number {
  return Math.min(4 * 2 ** 30, Math.floor(totalmem() / 2));
}

export function register(program: Command): void {
  withIndexOptions(program.command('mcp'))
    .description(
      'serve heapwatch to coding agents over the Model Context Protocol (stdio): analyze, find, path, node, histogram, diff, ps, gc, dump, sample',
    )
    .option(
      '--root <folder>',
      'a folder whose snapshots the tools may read (repeatable; default the working directory)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option(
      '--dump-dir <folder>',
      'the folder `dump` writes to (yours, not writable by others); without it dump is off',
    )
    .option('--memory-budget <size>', 'memory for analyses kept loaded, e.g. 2GB (default: half the RAM, at most 4GB)')
    .action(async (opts: McpOptions) => {
      const { parseSize } = await import('../../mcp/memory-size.js');
      let memoryBudget = defaultMemoryBudget();
      if (opts.memoryBudget !== undefined) {
        const n = parseSize(opts.memoryBudget);
        if (n === undefined)
          throw usageError(`--memory-budget must be a size like 512MB or 2GB, not "${opts.memoryBudget}"`);
        memoryBudget = n;
      }
      const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
        version: string;
      };
      const { serveStdio } = await import('../../mcp/server.js');
      await serveStdio({
        roots: opts.root ?? [],
        dumpDir: opts.dumpDir,
        memoryBudget,
        version: pkg.version,
        index: opts.index ? { dir: opts.indexDir } : null,
      });
    });
}
