import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('ps')
    .description('jps -l for Node: the Node.js processes of this user, with RSS, uptime and open inspector')
    .option('--json', 'print as JSON (schema heapwatch/ps@1)')
    .action(async (opts: { json?: boolean }) => {
      const { listNodeProcesses, formatProcessTable } = await import('../../live/ps.js');
      const { psReport } = await import('../../live/reports.js');
      const rows = await listNodeProcesses();
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(psReport(rows))}\n`);
      } else {
        process.stdout.write(formatProcessTable(rows));
      }
    });
}
