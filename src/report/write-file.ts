import { chmod, open, rename, unlink } from 'node:fs/promises';
import { runtimeError } from '../errors.js';

/** Writes a report file completely under a temporary name, then renames it (mode 0600: reports hold heap data). */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(text);
    } finally {
      await fh.close();
    }
    await chmod(tmp, 0o600);
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw runtimeError(`cannot write ${file}: ${(err as Error).message}`, 'WRITE_FAILED');
  }
}
