// lastRecordsOf: the last whole record naming each wanted node, found by one pass over a section read in runs of
// blocks (records straddling the runs, a part record at the end), equal to a plain search over the array.
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { lastRecordsOf } from '../../src/index/closure-records.js';
import { IndexFile, writeIndex } from '../../src/index/index-file.js';

let dir: string;
let path: string;
const SIZE = 3; // 12-byte records: they straddle the 1 MB runs of a scan
const FIELD = 1;
const COUNT = 300_000; // 3.6 MB: four runs
const records = new Uint32Array(COUNT * SIZE + 2);

beforeAll(() => {
  for (let r = 0; r < COUNT; r++) {
    records[r * SIZE] = r;
    records[r * SIZE + FIELD] = (r * 7919) % 1000; // each node named by ~300 records
    records[r * SIZE + 2] = r + 1;
  }
  // a part record at the end naming node 5: not a record
  records[COUNT * SIZE + FIELD] = 5;
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-records-'));
  path = join(dir, 'x.hwindex');
  const fd = openSync(path, 'w', 0o600);
  // a section of 20 bytes first, so the records do not start at a block
  writeIndex(fd, { header: {}, sections: { head: new Uint8Array(20), locations: records } });
  closeSync(fd);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('finds the last whole record of each wanted node, -1 for none', () => {
  const f = IndexFile.open(path) as IndexFile;
  const wanted = [5, 0, 999, 313, 1000, 123_456];
  const known = new Map(wanted.map((o) => [o, -1]));
  lastRecordsOf(f, 'locations', SIZE, FIELD, known);
  f.close();
  const expected = wanted.map((o) => {
    let last = -1;
    for (let i = 0; i + SIZE <= records.length; i += SIZE) if (records[i + FIELD] === o) last = i;
    return last;
  });
  expect(wanted.map((o) => known.get(o))).toEqual(expected);
  expect(expected.filter((x) => x >= 0)).toHaveLength(4);
});
