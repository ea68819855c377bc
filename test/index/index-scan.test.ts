// IndexFile.scan reuses one buffer for the scans of a file: a scan begun inside another's callback gets a buffer
// of its own, and both see their sections' bytes.
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { IndexFile, writeIndex } from '../../src/index/index-file.js';

let dir: string;
let path: string;
const a = Uint32Array.from({ length: 600_000 }, (_, i) => i * 3); // 2.4 MB: three runs
const b = Uint32Array.from({ length: 300_000 }, (_, i) => i * 5 + 1);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-scan-'));
  path = join(dir, 'x.hwindex');
  const fd = openSync(path, 'w', 0o600);
  writeIndex(fd, { header: {}, sections: { a, b } });
  closeSync(fd);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('scans one after another and one inside another each see their own section', () => {
  const f = IndexFile.open(path) as IndexFile;
  const sum = (name: string) => {
    let s = 0;
    f.scan(name, (piece) => {
      for (let k = 0; k < piece.length; k++) s += piece[k];
    });
    return s;
  };
  const total = (x: Uint32Array) => x.reduce((s, v) => s + v, 0);
  expect([sum('a'), sum('b'), sum('a')]).toEqual([total(a), total(b), total(a)]);
  const seen: number[] = [];
  f.scan('a', (piece, first) => {
    const before = Array.from(piece.subarray(0, 4));
    seen.push(sum('b'));
    // the outer piece is unchanged by the inner scan
    expect(Array.from(piece.subarray(0, 4))).toEqual(before);
    expect(piece[0]).toBe(a[first]);
  });
  expect(seen).toEqual([total(b), total(b), total(b)]);
  f.close();
});
