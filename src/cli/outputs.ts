// Where a command will write, checked before it starts any work (an analysis, a dump, a child process): a bad
// path is one line naming the user's path, not an error about a temporary file minutes later.
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { usageError } from '../errors.js';
import { outputProblem } from '../guard/safe-file.cjs';

/** Refuses an output file whose folder is missing or not writable, or which exists and is not a regular file. */
export async function checkOutputFile(path: string, option: string): Promise<void> {
  const problem = await outputProblem(path);
  if (problem) throw usageError(`${option}: ${problem}`);
}

/** Why `dir` cannot hold our files (an existing non-folder, or nowhere writable to create it in), or null. */
export function folderProblem(dir: string): string | null {
  let at = resolve(dir);
  for (;;) {
    let isDir: boolean;
    try {
      isDir = statSync(at).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return `${dir}: ${(err as Error).message}`;
      if (dirname(at) === at) return `${dir}: no such directory`;
      at = dirname(at); // missing: it would be created in the nearest folder that exists
      continue;
    }
    if (!isDir) return at === resolve(dir) ? `${dir}: not a directory` : `${dir}: ${at} is not a directory`;
    try {
      accessSync(at, constants.W_OK);
    } catch {
      return at === resolve(dir) ? `${dir}: not writable` : `${dir}: cannot be created in ${at} (not writable)`;
    }
    return null;
  }
}

/** Refuses a folder we could not write into (see folderProblem). */
export function checkOutputFolder(dir: string, option: string): void {
  const problem = folderProblem(dir);
  if (problem) throw usageError(`${option}: ${problem}`);
}

/** Creates `dir` (and its missing parents) mode 0700 as the guard does, or refuses it with one line. */
export function makeOutputFolder(dir: string, option: string): void {
  checkOutputFolder(dir, option);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw usageError(`${option}: ${dir}: ${(err as Error).message}`);
  }
}
