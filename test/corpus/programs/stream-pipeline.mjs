// No leak: a stream pipeline with backpressure (a fast source, a transform, a slow sink): the snapshot is taken
// while data flows, and only the streams' small buffers are in memory.
import { createRequire } from 'node:module';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const v8 = createRequire(import.meta.url)('node:v8');
const out = process.argv[2];

let produced = 0;
const source = new Readable({
  read() {
    produced++;
    this.push(produced > 20_000 ? null : `record ${produced} `.padEnd(1000, '.'));
  },
});
const upper = new Transform({
  transform(chunk, _enc, done) {
    done(null, chunk.toString().toUpperCase());
  },
});
let written = 0;
const sink = new Writable({
  highWaterMark: 16 * 1024,
  write(_chunk, _enc, done) {
    written++;
    if (written === 10_000) v8.writeHeapSnapshot(out); // half way, in the middle of the flow
    setImmediate(done);
  },
});

await pipeline(source, upper, sink);
process.exit(0);
