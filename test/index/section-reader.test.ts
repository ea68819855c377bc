// SectionReader: scattered elements of a section through a small reused cache of blocks, each block checked when
// it is read (a damaged one throws, also when a slot is reused), values equal to the section's.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { BLOCK, IndexDamage, IndexFile, writeIndex } from '../../src/index/index-file.js';
import { SectionReader } from '../../src/index/section-reader.js';

let dir: string;
let path: string;
const N = 50_000; // 200 KB of u32: 49 blocks, more than the 4 slots used below
const values = Float64Array.from({ length: N }, (_, i) => (i * 2654435761) % 2 ** 32);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-reader-'));
  path = join(dir, 'x.hwindex');
  const fd = openSync(path, 'w', 0o600);
  writeIndex(fd, {
    header: {},
    sections: { head: new Uint8Array(13), big: Uint32Array.from(values), sizes: Float64Array.from(values) },
  });
  closeSync(fd);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const open = () => IndexFile.open(path) as IndexFile;

test('gives every element, in any order, across reused slots', () => {
  const f = open();
  const u32 = new SectionReader(f, 'big', 4);
  const f64 = new SectionReader(f, 'sizes', 4);
  const order = Array.from({ length: N }, (_, i) => (i * 7919) % N);
  const got = order.map((i) => [u32.get(i), f64.get(i)]);
  expect(got).toEqual(order.map((i) => [values[i], values[i]]));
  expect(() => u32.get(N)).toThrow(RangeError);
  f.close();
});

test('checks each block it reads: a damaged one throws, every time, also after its slot held another', () => {
  const original = readFileSync(path);
  const f0 = open();
  const e = f0.entry('big');
  const victim = 30_000; // an element in the middle of the section
  const byte = f0.dataStart + e.at + victim * 4;
  f0.close();
  const spoilt = Buffer.from(original);
  spoilt[byte] ^= 0x10;
  writeFileSync(path, spoilt);
  try {
    const f = open();
    const r = new SectionReader(f, 'big', 4);
    const sameBlock = victim - (((e.at + victim * 4) % BLOCK) >> 2); // the first element of the damaged block
    expect(() => r.get(sameBlock)).toThrow(IndexDamage);
    expect(r.get(0)).toBe(values[0]);
    // the slot the damaged block would use, filled by a sound block, then asked for the damaged one again
    const slotMate = victim - 4 * (BLOCK / 4);
    expect(r.get(slotMate)).toBe(values[slotMate]);
    expect(() => r.get(victim)).toThrow(IndexDamage);
    expect(() => r.get(victim)).toThrow(IndexDamage);
    f.close();
  } finally {
    writeFileSync(path, original);
  }
});
