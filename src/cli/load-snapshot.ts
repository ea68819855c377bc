import { statSync } from 'node:fs';
import { readSnapshot } from '../snapshot/reader.js';
import type { HeapSnapshot } from '../snapshot/snapshot.js';
import { createProgress } from './progress.js';

/** Files at least this big show a progress line while they are read (when stderr is a TTY). */
const PROGRESS_FROM_BYTES = 50 * 1024 * 1024;

/** readSnapshot for commands: progress on stderr for big files when stderr is a TTY, errors as HeapwatchError. */
export async function loadSnapshot(file: string, title = 'reading snapshot'): Promise<HeapSnapshot> {
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    // readSnapshot reports a missing or unreadable file
  }
  const progress = createProgress(title, Boolean(process.stderr.isTTY) && size >= PROGRESS_FROM_BYTES);
  try {
    return await readSnapshot(file, { onProgress: (f) => progress.update(f) });
  } finally {
    progress.done();
  }
}
