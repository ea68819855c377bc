import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { usageError } from '../errors.js';

/** Whether `path` is `folder` or inside it (both absolute and normalised). */
export function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The folders the server may read snapshots from (`--root`, repeatable; the working directory by default).
 * A path is checked as written and again after resolving every symlink (realpath): a link inside a root that
 * points out of it is refused, and the file is then read through its real path.
 */
export class AllowedFolders {
  private constructor(
    /** Each root as given (resolved) and as it really is; a path must be inside a real one. */
    private readonly given: string[],
    readonly real: string[],
    private readonly cwd: string,
  ) {}

  static open(roots: string[], cwd = process.cwd()): AllowedFolders {
    const given: string[] = [];
    const real: string[] = [];
    for (const root of roots.length > 0 ? roots : [cwd]) {
      const abs = resolve(cwd, root);
      let r: string;
      try {
        r = realpathSync(abs);
        if (!statSync(r).isDirectory()) throw usageError(`--root ${root}: not a directory`);
      } catch (err) {
        if ((err as { code?: string }).code === 'ENOENT') throw usageError(`--root ${root}: no such directory`);
        throw err;
      }
      given.push(abs);
      real.push(r);
    }
    return new AllowedFolders(given, real, cwd);
  }

  /** Adds a folder (the dump folder: the server may analyze what it dumped). */
  withFolder(realFolder: string): AllowedFolders {
    return new AllowedFolders([...this.given, realFolder], [...this.real, realFolder], this.cwd);
  }

  /** The real path of an input file inside the allowed folders, or a usage error saying why not. */
  inputFile(path: string): string {
    const abs = resolve(this.cwd, path);
    const roots = `allowed folders: ${this.real.join(', ')}`;
    if (![...this.given, ...this.real].some((root) => isInside(abs, root))) {
      throw usageError(`refusing ${path}: outside the folders this server may read (${roots})`, 'OUTSIDE_ROOT');
    }
    let real: string;
    try {
      real = realpathSync(abs);
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') throw usageError(`no such file: ${path}`, 'NO_SUCH_FILE');
      throw usageError(`cannot read ${path}: ${(err as Error).message}`, 'UNREADABLE');
    }
    if (!this.real.some((root) => isInside(real, root))) {
      throw usageError(
        `refusing ${path}: it resolves to ${real} through a symbolic link, outside the folders this server may read (${roots})`,
        'OUTSIDE_ROOT',
      );
    }
    if (!statSync(real).isFile()) throw usageError(`${path}: not a regular file`, 'NOT_A_FILE');
    return real;
  }
}
