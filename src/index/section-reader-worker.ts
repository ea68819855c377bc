// Worker thread of readIndex (index-file.ts): reads and checks its share of a big index's sections into the
// shared buffer, on the file descriptor the main thread opened, while the main thread does the other share.
import { parentPort, workerData } from 'node:worker_threads';
import { readSections, type SectionSpan } from './section-io.js';

const { fd, buffer, spans } = workerData as { fd: number; buffer: SharedArrayBuffer; spans: SectionSpan[] };
let problem: string | null;
try {
  problem = readSections(fd, new Uint8Array(buffer), spans);
} catch (e) {
  problem = `unreadable (${(e as Error).message})`;
}
parentPort!.postMessage(problem);
