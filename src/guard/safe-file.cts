// The one way heapwatch creates a file, in the CLI and inside the target (node: built-ins only, so the guard can
// use it): a random name in the destination folder, created exclusively and never through a symlink (O_EXCL |
// O_NOFOLLOW), written completely, then renamed over the final name. Nobody can prepare that name in advance.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fsyncSync,
  lstatSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { access, lstat, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

// read-write: a writer checks what it wrote (a snapshot's tail) through the same descriptor
const CREATE_EXCLUSIVE = constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/** A temporary file of ours: `.<final name>.<random>.tmp` beside the final file. */
export interface TempFile {
  path: string;
  fd: number;
}

/** The temporary name for `finalPath`: hidden, random, in the same folder (so the rename cannot cross devices). */
export function randomTempPath(finalPath: string): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Matches the names randomTempPath makes, for the clean-up of files a killed writer left. */
export const RANDOM_TEMP = /^\.(.+)\.[0-9a-f]{12}\.tmp$/;

/** Creates a fresh temporary file beside `finalPath`, exclusively, mode `mode` (0600 unless told). */
export function createTemp(finalPath: string, mode = 0o600): TempFile {
  for (let attempt = 0; ; attempt++) {
    const path = randomTempPath(finalPath);
    try {
      return { path, fd: openSync(path, CREATE_EXCLUSIVE, mode) };
    } catch (err) {
      // a collision of 48 random bits means someone is guessing: try again a few times, then give up
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 4) throw err;
    }
  }
}

/**
 * Why `path` cannot be an output, or null when it can: it exists and is not a regular file (a device, a FIFO, a
 * folder, a symlink), or its folder is missing or not writable. Checked before the work starts, so the error
 * names the user's path and comes before minutes of analysis.
 */
export async function outputProblem(path: string): Promise<string | null> {
  try {
    const st = await lstat(path);
    if (!st.isFile()) return `${path}: exists and is not a regular file`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return `${path}: ${(err as Error).message}`;
  }
  const dir = dirname(path);
  try {
    if (!(await stat(dir)).isDirectory()) return `${dir}: not a directory`;
    await access(dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `${dir}: no such directory`;
    if (code === 'EACCES' || code === 'EPERM') return `${dir}: not writable`;
    return `${dir}: ${(err as Error).message}`;
  }
  return null;
}

/** Same as outputProblem, synchronously (for the guard). */
export function outputProblemSync(path: string): string | null {
  try {
    if (!lstatSync(path).isFile()) return `${path}: exists and is not a regular file`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return `${path}: ${(err as Error).message}`;
  }
  try {
    if (!statSync(dirname(path)).isDirectory()) return `${dirname(path)}: not a directory`;
  } catch (err) {
    return `${dirname(path)}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (err as Error).message}`;
  }
  return null;
}

/** Renames a finished temporary file over `finalPath`, refusing a final path that is not a regular file. */
export async function commitTemp(tempPath: string, finalPath: string): Promise<void> {
  const problem = await outputProblem(finalPath);
  if (problem) {
    await unlink(tempPath).catch(() => {});
    throw new Error(problem);
  }
  await rename(tempPath, finalPath);
}

function writeAll(fd: number, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
  fsyncSync(fd);
}

/** A complete temporary copy of `data` next to `finalPath` (written, fsynced, closed); removed again on failure. */
function writtenTemp(finalPath: string, data: string | Uint8Array, mode: number): string {
  const temp = createTemp(finalPath, mode);
  try {
    try {
      writeAll(temp.fd, data);
    } finally {
      closeSync(temp.fd);
    }
  } catch (err) {
    removeQuietly(temp.path);
    throw namingFinal(err, temp.path, finalPath);
  }
  return temp.path;
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {}
}

/** The error with the temporary name replaced by the user's: messages never name a temp file. */
function namingFinal(err: unknown, tempPath: string, finalPath: string): Error {
  return new Error((err as Error).message.split(tempPath).join(finalPath));
}

/** Writes `data` to `finalPath` the safe way (temp, write all, fsync, rename), synchronously. */
export function writeFileSafelySync(finalPath: string, data: string | Uint8Array, mode = 0o600): void {
  const problem = outputProblemSync(finalPath);
  if (problem) throw new Error(problem);
  const tempPath = writtenTemp(finalPath, data, mode);
  try {
    renameSync(tempPath, finalPath);
  } catch (err) {
    removeQuietly(tempPath);
    throw namingFinal(err, tempPath, finalPath);
  }
}

/** Writes `data` to `finalPath` the safe way; an error names `finalPath`, never the temporary name. */
export async function writeFileSafely(finalPath: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const problem = await outputProblem(finalPath);
  if (problem) throw new Error(problem);
  const tempPath = writtenTemp(finalPath, data, mode);
  try {
    await commitTemp(tempPath, finalPath);
  } catch (err) {
    removeQuietly(tempPath);
    throw namingFinal(err, tempPath, finalPath);
  }
}
