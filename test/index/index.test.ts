// The saved analysis (index): reopening a snapshot for analyze, histo, node and path prints exactly what a fresh
// analysis prints; a damaged, truncated or foreign index is ignored with one line and rebuilt; the cache folder
// is private, bounded and cleanable. Every run here uses a temporary HEAPWATCH_CACHE, never ~/.cache.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { analyzeSnapshot } from '../../src/analysis/index.js';
import { IndexFile, type SectionEntry } from '../../src/index/index-file.js';
import { restoreAnalysis } from '../../src/index/saved-analysis.js';
import { openIndexed, saveIndexed } from '../../src/index/store.js';
import { readSnapshot } from '../../src/snapshot/reader.js';
import { FOLDING_EDGES, FOLDING_NODES } from '../helpers/hand-graphs.js';
import { node, writeTinySnapshot } from '../helpers/tiny-snapshot.js';
import { bin, runFixture } from '../leaks/helpers.js';

let dir: string;
let cache: string;
let snap: string;
let ids: string[];
let manyIds: string[];
/** Objects with the most retainers (hundreds), and a closure (its location is read too). */
let heldIds: string[];

function hw(args: string[], env: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, HEAPWATCH_CACHE: cache, ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const indexes = () => readdirSync(cache).filter((n) => n.endsWith('.hwindex'));
const indexFile = () => join(cache, indexes()[0]);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-index-'));
  cache = join(dir, 'cache');
  snap = join(dir, 'listeners.heapsnapshot');
  runFixture('listeners.cjs', snap);
  const doc = JSON.parse(hw(['analyze', snap, '--json', '--top', '14', '--no-index']).out);
  const found = [
    doc.suspects[0].id,
    doc.suspects[0].accumulationPoint.id,
    ...doc.dominators.map((d: { id: number }) => d.id),
  ].map(String);
  ids = found.slice(0, 7);
  // more than a few ids take the other lookup (a bitmap, then a Map)
  manyIds = found;
  const s = await readSnapshot(snap);
  const into = new Uint32Array(s.nodeCount);
  for (let e = 0; e < s.edgeCount; e++) into[s.edgeTarget(e)]++;
  const byCount = [...into.keys()].sort((x, y) => into[y] - into[x]);
  const closure = byCount.find((o) => s.nodeTypeOf(o) === s.nodeType.closure)!;
  heldIds = [...byCount.slice(0, 3), closure].map((o) => String(s.nodeId(o)));
  expect(into[byCount[0]]).toBeGreaterThan(300);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const QUERIES = () => [
  ['analyze', snap, '--top', '7'],
  ['analyze', snap, '--top', '40', '--json'],
  ['histo', snap, '--top', '15'],
  ['histo', snap, '--json', '--sort', 'retained'],
  ['node', snap, ...ids],
  ['node', snap, ...ids, '--json'],
  ['node', snap, ...manyIds, '--json'],
  ['node', snap, ...heldIds, '--retainers', '40'],
  ['node', snap, ...heldIds, '--json', '--retainers', '300'],
  ['path', snap, ids[1]],
  ['path', snap, ids[1], '-n', '2', '--json'],
];

describe('the saved analysis', () => {
  test('--no-index writes nothing; the first run writes a private index; every query reopens it byte for byte', () => {
    const fresh = QUERIES().map((q) => hw([...q, '--no-index']));
    for (const r of fresh) expect(r.code).toBe(0);
    expect(manyIds.length).toBeGreaterThan(8);
    expect(JSON.parse(fresh[6].out).nodes.map((n: { id: number }) => String(n.id))).toEqual(manyIds);
    expect(readdirSync(dir)).not.toContain('cache');
    const first = hw(QUERIES()[0]);
    expect(first.err).toBe('');
    expect(indexes()).toHaveLength(1);
    expect(statSync(indexFile()).mode & 0o777).toBe(0o600);
    expect(statSync(cache).mode & 0o777).toBe(0o700);
    // the index is at most the snapshot's size
    expect(statSync(indexFile()).size).toBeLessThanOrEqual(statSync(snap).size * 1.1);
    QUERIES().forEach((q, i) => {
      const again = hw(q);
      expect(again.err).toBe('');
      expect(again.out).toBe(fresh[i].out);
    });
  });

  test('the index is what answers: with the middle of the snapshot damaged (same size, ends and mtime) it still does', () => {
    const copy = join(dir, 'copy.heapsnapshot');
    copyFileSync(snap, copy);
    // a whole second: the time set again below is exactly the same
    utimesSync(copy, 1_700_000_000, 1_700_000_000);
    const fresh = hw(['node', copy, ...ids, '--json']);
    expect(fresh.code).toBe(0);
    const bytes = readFileSync(copy);
    bytes.fill(0x78, bytes.length >> 1, (bytes.length >> 1) + 64);
    writeFileSync(copy, bytes);
    utimesSync(copy, 1_700_000_000, 1_700_000_000);
    const reopened = hw(['node', copy, ...ids, '--json']);
    expect(reopened.out).toBe(fresh.out.split(copy).join(copy));
    // without the index the damage is found
    expect(hw(['node', copy, ...ids, '--no-index']).code).toBe(2);
    rmSync(copy);
  });

  test.each([
    ['damaged', (b: Buffer) => b.fill(0x55, b.length >> 1, (b.length >> 1) + 16), /checksum mismatch in \w+/],
    ['truncated', (b: Buffer) => b.subarray(0, b.length - 1000), /truncated/],
    ['foreign version', (b: Buffer) => b.writeUInt32LE(99, 8) && b, /version 99/],
    ['version 3', (b: Buffer) => b.writeUInt32LE(3, 8) && b, /version 3, this heapwatch reads version 4/],
  ])('a %s index is ignored with one line on stderr, the answer is the same, and it is rebuilt', (kind, spoil, why) => {
    // the frame is checked alike for both readers (histo reads everything, node what it needs)
    const queries = [['node', snap, ...heldIds.slice(0, 2)]];
    if (kind === 'damaged') queries.push(['histo', snap, '--top', '5']);
    for (const q of queries) {
      rmSync(cache, { recursive: true, force: true });
      const expected = hw([...q, '--no-index']).out;
      hw(q);
      const path = indexFile();
      writeFileSync(path, spoil(readFileSync(path)) as Buffer);
      const r = hw(q);
      expect(r.out).toBe(expected);
      expect(r.err).toMatch(new RegExp(`^heapwatch: index ${path} ignored \\(${why.source}.*\\); analysing again\\n$`));
      const next = hw(q);
      expect(next.err).toBe('');
      expect(next.out).toBe(expected);
    }
  });

  /** The index's sections and where each begins in the file. */
  function sectionsOf(path: string): (SectionEntry & { offset: number; bytes: number })[] {
    const f = IndexFile.open(path);
    if (typeof f === 'string') return expect.fail(f);
    f.close();
    return (f.header.sections as SectionEntry[]).map((x) => ({
      ...x,
      offset: f.dataStart + x.at,
      bytes: x.length * { u8: 1, u32: 4, i32: 4, f64: 8 }[x.kind],
    }));
  }

  /** What reading the whole index finds: 'ok' or the damage it names. */
  function readWhole(path: string): string {
    const f = IndexFile.open(path);
    if (typeof f === 'string') return f;
    try {
      restoreAnalysis(f);
      return 'ok';
    } catch (e) {
      return (e as Error).message;
    } finally {
      f.close();
    }
  }

  test('every block has its own checksum: one byte changed in any section is found and named', () => {
    rmSync(cache, { recursive: true, force: true });
    hw(['histo', snap, '--top', '1']);
    const path = indexFile();
    const original = readFileSync(path);
    const listed = sectionsOf(path).filter((x) => x.length);
    expect(listed.length).toBeGreaterThan(10);
    for (const section of listed) {
      const spoilt = Buffer.from(original);
      spoilt[section.offset + (section.bytes >> 1)] ^= 0x20;
      writeFileSync(path, spoilt);
      // a 4 KiB block may hold the end of one section and the start of the next: all of them are named
      expect(readWhole(path)).toMatch(
        new RegExp(`^checksum mismatch in ([\\w, ]+, )?${section.name}\\b.* at byte \\d+$`),
      );
    }
    // and in the header (the list of sections and the block table's checksum)
    const spoilt = Buffer.from(original);
    spoilt[20] ^= 0x01;
    writeFileSync(path, spoilt);
    expect(readWhole(path)).toBe('checksum mismatch in the header');
    // and in the block table (just before the trailer)
    const table = Buffer.from(original);
    table[table.length - 12] ^= 0x01;
    writeFileSync(path, table);
    expect(readWhole(path)).toBe('checksum mismatch in the block table');
    writeFileSync(path, original);
    expect(readWhole(path)).toBe('ok');
  });

  test('node reads only the blocks it needs, checks each, and never answers from a damaged one', () => {
    rmSync(cache, { recursive: true, force: true });
    const q = ['node', snap, ...heldIds, '--json'];
    const expected = hw([...q, '--no-index']).out;
    hw(['histo', snap, '--top', '1']);
    const path = indexFile();
    const original = readFileSync(path);
    const at = (name: string) => sectionsOf(path).find((x) => x.name === name)!;
    // a section node never looks at (the page-owned bits): node still answers from the index; histo finds it
    const unread = Buffer.from(original);
    unread[at('pageOwned').offset + 1] ^= 0x01;
    writeFileSync(path, unread);
    const lazy = hw(q);
    expect([lazy.err, lazy.out]).toEqual(['', expected]);
    expect(hw(['histo', snap, '--top', '1']).err).toMatch(/ignored \(checksum mismatch in [\w, ]*pageOwned/);
    // one byte in the middle of the edge targets (node reads them all for the retainers), in the id table where
    // the first id is found, in the location records: one line, the fresh answer, and the index replaced by a sound one
    for (const [name, where] of [
      ['edgeTargets', (x: { offset: number; bytes: number }) => x.offset + (x.bytes >> 1)],
      ['idOrder', () => idPairOffset(original, at('idOrder').offset, Number(heldIds[0]))],
      // the closure's location: one pass over the records
      ['locations', (x: { offset: number; bytes: number }) => x.offset + (x.bytes >> 1)],
    ] as const) {
      const spoilt = Buffer.from(original);
      spoilt[where(at(name))] ^= 0x04;
      writeFileSync(path, spoilt);
      const r = hw(q);
      expect(r.out).toBe(expected);
      expect(r.err).toMatch(
        new RegExp(
          `^heapwatch: index ${path} ignored \\(checksum mismatch in [\\w, ]*${name}\\b.*\\); analysing again\\n$`,
        ),
      );
      expect(readWhole(path)).toBe('ok');
      const again = hw(q);
      expect([again.err, again.out]).toEqual(['', expected]);
    }
  });

  test('node answered from the index does not load the analysis engine', () => {
    rmSync(cache, { recursive: true, force: true });
    const q = ['node', snap, ...heldIds, '--json'];
    const expected = hw([...q, '--no-index']).out;
    hw(['histo', snap, '--top', '1']);
    const hook = new URL('../cli/refuse-modules.mjs', import.meta.url).pathname;
    const env: Record<string, string | undefined> = {
      ...process.env,
      HEAPWATCH_CACHE: cache,
      HEAPWATCH_TEST_REFUSE: '/analysis/index.js',
    };
    delete env.HEAPWATCH_TEST_HOOKED;
    const r = spawnSync(process.execPath, ['--import', hook, bin, ...q], { encoding: 'utf8', env, timeout: 120_000 });
    expect([r.stderr, r.stdout]).toEqual(['', expected]);
  });

  test('a hand-built snapshot with empty sections (no locations) reopens from its index', () => {
    rmSync(cache, { recursive: true, force: true });
    const tiny = join(dir, 'tiny.heapsnapshot');
    writeTinySnapshot(tiny, FOLDING_NODES, FOLDING_EDGES);
    const first = hw(['histo', tiny, '--json']);
    const again = hw(['histo', tiny, '--json']);
    expect(again.err).toBe('');
    expect(again.out).toBe(first.out);
  });

  test('self sizes over 2^32-1 (5 GiB buffers) come out exact on a second run, reopened or not', async () => {
    rmSync(cache, { recursive: true, force: true });
    const big = join(dir, 'big.heapsnapshot');
    const BIG = 5 * 2 ** 30 + 5;
    writeTinySnapshot(
      big,
      [
        node('root', 'synthetic', '', 1, 0),
        node('holder', 'object', 'Holder', 3, 40),
        node('store', 'native', 'system / JSArrayBufferData', 5, BIG),
        node('other', 'native', 'system / JSArrayBufferData', 9, BIG),
        node('small', 'object', 'Small', 7, 16),
      ],
      [
        ['root', 'element', 1, 'holder'],
        ['root', 'element', 2, 'small'],
        ['root', 'element', 3, 'other'],
        ['holder', 'internal', 'backing_store', 'store'],
      ],
    );
    const queries = [
      ['node', big, '5', '3', '--json'],
      ['analyze', big, '--json'],
      ['histo', big, '--json'],
      ['path', big, '5', '--json'],
    ];
    const fresh = queries.map((q) => hw([...q, '--no-index']));
    expect(JSON.parse(fresh[0].out).nodes[0].selfSize).toBe(BIG);
    expect(JSON.parse(fresh[1].out).snapshot.totalSize).toBe(2 * BIG + 56);
    for (const round of [1, 2]) {
      queries.forEach((q, i) => {
        const r = hw(q);
        expect(r.err, `${q[0]}, run ${round}`).toBe('');
        expect(r.out, `${q[0]}, run ${round}`).toBe(fresh[i].out);
      });
    }
    // what an index would hand every report: the big sizes themselves (the index keeps 32-bit node records, so
    // such a snapshot may also simply not be indexed, and is then analysed each time)
    const a = analyzeSnapshot(await readSnapshot(big));
    const opts = { dir: join(dir, 'big-cache'), warn: (m: string) => expect.fail(m) };
    await saveIndexed(big, a, opts);
    const reopened = openIndexed(big, opts);
    if (reopened !== null) {
      const s = reopened.snapshot;
      const store = [...Array(s.nodeCount).keys()].find((o) => s.nodeId(o) === 5)!;
      expect([s.nodeSelfSize(store), reopened.selfSizes[store], reopened.retainedSizes[0]]).toEqual([
        BIG,
        BIG,
        2 * BIG + 56,
      ]);
    }
  });

  test('HEAPWATCH_CACHE_MAX removes the oldest index first; cache clean removes them all', () => {
    const other = join(dir, 'other.heapsnapshot');
    runFixture('no-leak.cjs', other);
    rmSync(cache, { recursive: true, force: true });
    hw(['histo', snap, '--top', '1']);
    const first = indexes();
    expect(first).toHaveLength(1);
    const size = statSync(join(cache, first[0])).size;
    const r = hw(['histo', other, '--top', '1'], { HEAPWATCH_CACHE_MAX: String(size + 1000) });
    expect(r.code).toBe(0);
    expect(indexes()).toHaveLength(1);
    expect(indexes()[0]).not.toBe(first[0]);
    const clean = hw(['cache', 'clean']);
    expect(clean.out).toMatch(/: 1 saved analysis removed \(/);
    expect(indexes()).toEqual([]);
  });
});

/** The file offset of the id table's pair for `id` (pairs of u32 id, ordinal, sorted by id). */
function idPairOffset(file: Buffer, tableOffset: number, id: number): number {
  for (let at = tableOffset; ; at += 8) if (file.readUInt32LE(at) === id) return at;
}
