import { runtimeError } from '../errors.js';
import { writeFileSafely } from '../guard/safe-file.cjs';

/** Writes a report file completely under a random temporary name, then renames it (mode 0600: reports hold heap data). */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  try {
    await writeFileSafely(file, text, 0o600);
  } catch (err) {
    throw runtimeError(`cannot write ${file}: ${(err as Error).message}`, 'WRITE_FAILED');
  }
}
