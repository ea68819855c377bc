import type { Command } from 'commander';

export function register(program: Command): void {
  const cache = program
    .command('cache')
    .description('the saved analyses that let node, path, analyze and histo reopen a snapshot at once');
  cache
    .command('clean')
    .description('remove every saved analysis from the cache folder')
    .option('--index-dir <dir>', 'cache folder (default $HEAPWATCH_CACHE, else ~/.cache/heapwatch)')
    .action(async (opts: { indexDir?: string }) => {
      const { cacheDir, indexFiles } = await import('../../index/cache.js');
      const { unlink } = await import('node:fs/promises');
      const dir = cacheDir(opts.indexDir);
      let bytes = 0;
      let count = 0;
      for (const f of indexFiles(dir)) {
        try {
          await unlink(f.path);
          bytes += f.size;
          count++;
        } catch {
          // removed meanwhile
        }
      }
      const { formatBytes } = await import('../../format.js');
      process.stdout.write(
        `${dir}: ${count} saved ${count === 1 ? 'analysis' : 'analyses'} removed (${formatBytes(bytes)})\n`,
      );
    });
}
