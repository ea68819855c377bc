// Leak: a p-queue whose running task never settles (a hung upstream): everything added after it waits in
// the queue forever, each task with its payload. Holder: the queue's internal queue.
import { createRequire } from 'node:module';
import PQueue from 'p-queue';

const { snapshotWhenIdle } = createRequire(import.meta.url)('./finish.cjs');

const uploads = new PQueue({ concurrency: 1 });

uploads.add(() => new Promise(() => {})); // hangs
for (let id = 0; id < 3000; id++) {
  const payload = { id, bytes: `chunk ${id} `.padEnd(400, '#') };
  uploads.add(async () => payload.bytes.length);
}

export { uploads };

snapshotWhenIdle();
