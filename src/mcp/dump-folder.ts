import { existsSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { usageError } from '../errors.js';
import { outputProblem } from '../guard/safe-file.cjs';
import { defaultDumpName } from '../live/capture.js';

/**
 * The one folder `dump` writes to (`--dump-dir`, given at start). It must be a directory of the server's user
 * that nobody else can write to, so no one can prepare a name or a link in it; dumps get names the server checks.
 */
export class DumpFolder {
  private constructor(readonly path: string) {}

  static open(dir: string, uid = process.getuid?.() ?? -1): DumpFolder {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch {
      throw usageError(`--dump-dir ${dir}: no such directory`);
    }
    const st = statSync(real);
    if (!st.isDirectory()) throw usageError(`--dump-dir ${dir}: not a directory`);
    if (st.uid !== uid)
      throw usageError(`--dump-dir ${dir}: owned by user ${st.uid}, not by this server's user ${uid}`);
    if ((st.mode & 0o022) !== 0) {
      throw usageError(
        `--dump-dir ${dir}: writable by other users (mode ${(st.mode & 0o777).toString(8)}); use a private folder`,
      );
    }
    return new DumpFolder(real);
  }

  /** Where a dump goes: `name` (a plain file name, .heapsnapshot added if missing) or heapdump-<pid>-<time>. */
  async output(name: string | undefined, pid: number): Promise<string> {
    let file = name ?? defaultDumpName(pid);
    if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}$/.test(file)) {
      throw usageError(
        `dump name "${file}" must be a plain file name (letters, digits, . _ -), written into the dump folder`,
        'BAD_NAME',
      );
    }
    if (!file.endsWith('.heapsnapshot')) file += '.heapsnapshot';
    const path = join(this.path, file);
    if (existsSync(path)) throw usageError(`${path} already exists; heapwatch does not overwrite dumps`, 'EXISTS');
    const problem = await outputProblem(path);
    if (problem) throw usageError(problem, 'BAD_OUTPUT');
    return path;
  }
}
