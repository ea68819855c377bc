// edgeSourcesByScan: the source of each edge (the last node whose first edge is at or before it) by one pass over
// the node starts read in runs of blocks, equal to a search: nodes without edges, runs crossed, the last node.
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { edgeSourcesByScan } from '../../src/index/edge-sources.js';
import { IndexFile, writeIndex } from '../../src/index/index-file.js';

let dir: string;
let path: string;
const NODES = 700_000; // 2.8 MB of starts: three runs of a scan
const firstEdge = new Uint32Array(NODES);
let edgeCount = 0;

beforeAll(() => {
  // 0-3 edges a node: many nodes without edges (equal starts), some of them at the ends of runs
  for (let o = 0; o < NODES; o++) {
    firstEdge[o] = edgeCount;
    // the last node has edges: they are after every start
    edgeCount += o === NODES - 1 ? 2 : (o * 2654435761) % 7 < 3 ? 0 : ((o * 40503) % 3) + 1;
  }
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-sources-'));
  path = join(dir, 'x.hwindex');
  const fd = openSync(path, 'w', 0o600);
  writeIndex(fd, { header: {}, sections: { head: new Uint8Array(12), firstEdge } });
  closeSync(fd);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function searched(e: number): number {
  let lo = 0;
  let hi = NODES - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (firstEdge[mid] <= e) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

test('finds the source of every edge, in one pass, as a search does', () => {
  const edges = Array.from({ length: 5000 }, (_, k) => Math.floor((k * edgeCount) / 5000));
  // every edge of the nodes around the ends of the runs, and the last edges
  for (const o of [262_142, 262_143, 262_144, 524_286, 524_287, 524_288, NODES - 1])
    for (let e = firstEdge[o - 1]; e < (firstEdge[o + 1] ?? edgeCount); e++) edges.push(e);
  edges.push(edgeCount - 1, edgeCount - 1);
  edges.sort((x, y) => x - y);
  const f = IndexFile.open(path) as IndexFile;
  const found = edgeSourcesByScan(f, 'firstEdge', edges);
  f.close();
  expect(Array.from(found)).toEqual(edges.map(searched));
});
