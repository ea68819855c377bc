import type { Command } from 'commander';

/** One file per command; each exports `register(program)`. Heavy modules are imported inside the action. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [];
