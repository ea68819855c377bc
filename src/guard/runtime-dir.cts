// The per-user runtime folder heapwatch keeps its sockets and records in (node: built-ins only: the guard uses it).
// $XDG_RUNTIME_DIR/heapwatch when the session has one, else <tmpdir>/heapwatch-<uid>. It must be a real folder
// (never a symlink), owned by this user, mode 0700: another user who created it first in /tmp gets refused, not used.
import { lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why `dir` is not a safe private folder of user `uid`, or null when it is. Looks with lstat: no link followed. */
export function privateDirProblem(dir: string, uid: number): string | null {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(dir);
  } catch (err) {
    return `${dir}: ${(err as Error).message}`;
  }
  if (st.isSymbolicLink()) return `${dir} is a symbolic link`;
  if (!st.isDirectory()) return `${dir} is not a directory`;
  if (st.uid !== uid) return `${dir} belongs to uid ${st.uid}, not ${uid}`;
  if ((st.mode & 0o077) !== 0) return `${dir} has mode ${(st.mode & 0o777).toString(8)}, not 0700`;
  return null;
}

/** Where this user's runtime folder is, whether or not it exists yet. */
export function runtimeDirPath(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? 0): string {
  const xdg = env.XDG_RUNTIME_DIR;
  // a session's runtime folder counts only when it is really ours (sudo can leave another user's in the env)
  if (xdg?.startsWith('/') && privateDirProblem(xdg, uid) === null) return join(xdg, 'heapwatch');
  return join(tmpdir(), `heapwatch-${uid}`);
}

/** Creates (0700) or checks this user's runtime folder; returns its path, or throws with the reason it is unsafe. */
export function ensureRuntimeDir(env: NodeJS.ProcessEnv = process.env): string {
  const uid = process.getuid?.() ?? 0;
  const dir = runtimeDirPath(env, uid);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const problem = privateDirProblem(dir, uid);
  if (problem) throw new Error(`unsafe runtime folder: ${problem}`);
  return dir;
}

/** The guard's socket name for a pid (short: a Unix socket path holds at most 107 bytes). */
export function socketName(pid: number): string {
  return `${pid}.sock`;
}

/** Matches socketName's names, for finding a guard's socket among a process's listening Unix sockets. */
export const SOCKET_NAME = /^(\d+)\.sock$/;
