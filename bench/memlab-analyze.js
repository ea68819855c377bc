// memlab's full analysis of one snapshot, as its users run it: getFullHeapFromFile parses the file, annotates
// shortest paths and computes dominators and retained sizes. Prints one JSON line with what it found.
//   node bench/memlab-analyze.js <memlab install dir> <file.heapsnapshot>
import { createRequire } from 'node:module';
import path from 'node:path';

const [dir, file] = process.argv.slice(2);
if (!dir || !file) {
  console.error('usage: node bench/memlab-analyze.js <memlab dir> <file.heapsnapshot>');
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(dir), 'package.json'));
const core = require('@memlab/core');
const { getFullHeapFromFile } = require('@memlab/heap-analysis');
core.config.muteConsole = true;

const t0 = performance.now();
const heap = await getFullHeapFromFile(file);
const seconds = (performance.now() - t0) / 1000;

// the root is node 0; its retained size is memlab's total
const root = heap.nodes.get(0);
let topLevel = 0;
heap.nodes.forEach((node) => {
  if (node.nodeIndex !== root.nodeIndex && node.dominatorNode?.nodeIndex === root.nodeIndex) topLevel++;
});
console.log(
  JSON.stringify({
    tool: 'memlab',
    nodeCount: heap.nodes.length,
    edgeCount: heap.edges.length,
    totalSize: root.retainedSize,
    topLevelDominatorCount: topLevel,
    seconds: +seconds.toFixed(2),
  }),
);
process.exit(0);
