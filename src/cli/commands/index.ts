import type { Command } from 'commander';

/** One file per command; each exports `register(program)`. Heavy modules are imported inside the action. */
export type RegisterCommand = (program: Command) => void;

type CommandModule = () => Promise<{ register: RegisterCommand }>;

/**
 * Every command's name and its file, in the order `--help` lists them. Only the file of the command being run is
 * loaded (the others' imports cost ~30 ms at every start); help, a typo or no command load them all.
 */
export const commandModules: ReadonlyArray<readonly [name: string, load: CommandModule]> = [
  ['attach', () => import('./attach.js')],
  ['ps', () => import('./ps.js')],
  ['gc', () => import('./gc.js')],
  ['dump', () => import('./dump.js')],
  ['sample', () => import('./sample.js')],
  ['analyze', () => import('./analyze.js')],
  ['histo', () => import('./histo.js')],
  ['node', () => import('./node.js')],
  ['find', () => import('./find.js')],
  ['run', () => import('./run.js')],
  ['path', () => import('./path.js')],
  ['diff', () => import('./diff.js')],
  ['demo', () => import('./demo.js')],
  ['mcp', () => import('./mcp.js')],
  ['redact', () => import('./redact.js')],
  ['cache', () => import('./cache.js')],
];

/** The command `argv` (process.argv) runs: its first operand before `--` (the program's options take no value). */
export function commandNamed(argv: readonly string[]): string | undefined {
  for (const arg of argv.slice(2)) {
    if (arg === '--') return undefined;
    if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/** The register functions `argv` needs: only its command's when it names one, else all of them in help's order. */
export async function commandsFor(argv: readonly string[]): Promise<RegisterCommand[]> {
  const name = commandNamed(argv);
  const one = commandModules.find(([n]) => n === name);
  const needed = one ? [one] : commandModules;
  const modules = await Promise.all(needed.map(([, load]) => load()));
  return modules.map((m) => m.register);
}
