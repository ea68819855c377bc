// The first step of `analyze` alone: the snapshot read into memory (the yardstick of redact's speed target).
//   node bench/read-only.js <file.heapsnapshot>
import { readSnapshot } from '../dist/snapshot/reader.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/read-only.js <file.heapsnapshot>');
  process.exit(2);
}
const started = performance.now();
const s = await readSnapshot(file);
console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000, nodes: s.nodeCount }));
process.exit(0); // the worker threads' memory is not worth tearing down
