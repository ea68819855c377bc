// Self sizes over 2^32-1 are legitimate (a 5 GiB ArrayBuffer's backing store, a WebAssembly memory): read
// exactly by both number scanners on one thread and on two, summed exactly into retained sizes and totals, and
// equal to what Chrome DevTools shows. Numbers from 2^53 up, and big numbers in any other field, stay errors.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeSnapshot } from '../../src/analysis/index.js';
import { HeapwatchError } from '../../src/errors.js';
import { type ReadOptions, readSnapshot } from '../../src/snapshot/reader.js';
import { compareWithOracle, type OracleResult, runOracle } from '../helpers/devtools-oracle.js';
import { node, writeTinySnapshot } from '../helpers/tiny-snapshot.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const FIVE_GIB = 5 * 2 ** 30;
const FOUR_GIB_AND_ONE = 4 * 2 ** 30 + 1;

/** Each scanner, on one thread and on two (tiny reads and chunks put boundaries inside the big numbers). */
const READS: ReadOptions[] = (['auto', 'js'] as const).flatMap((scanner) => [
  { scanner, parallel: false },
  { scanner, parallel: true, bufferSize: 7, chunkSize: 3 },
]);
const label = (o: ReadOptions) => `${o.scanner}, ${o.parallel ? 'two threads' : 'one thread'}`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-bigsizes-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ordinalOfId(s: Awaited<ReturnType<typeof readSnapshot>>, id: number): number {
  for (let o = 0; o < s.nodeCount; o++) if (s.nodeId(o) === id) return o;
  throw new Error(`no node @${id}`);
}

describe('a hand-built snapshot with a self size of 2^32+5', () => {
  const BIG = 2 ** 32 + 5;
  let file: string;
  beforeAll(() => {
    file = join(dir, 'tiny-big.heapsnapshot');
    writeTinySnapshot(
      file,
      [
        node('root', 'synthetic', '', 1, 0),
        node('holder', 'object', 'Holder', 3, 40),
        node('store', 'native', 'system / JSArrayBufferData', 5, BIG),
        node('small', 'object', 'Small', 7, 16),
      ],
      [
        ['root', 'element', 1, 'holder'],
        ['root', 'element', 2, 'small'],
        ['holder', 'internal', 'backing_store', 'store'],
      ],
    );
  });

  for (const opts of READS) {
    it(`reads it exactly and sums it into retained sizes and the total (${label(opts)})`, async () => {
      const s = await readSnapshot(file, opts);
      const a = analyzeSnapshot(s);
      const store = ordinalOfId(s, 5);
      const holder = ordinalOfId(s, 3);
      expect(s.nodeSelfSize(store)).toBe(BIG);
      expect(s.nodeSelfSize(ordinalOfId(s, 7))).toBe(16);
      expect(a.selfSizes[store]).toBe(BIG);
      expect(a.retainedSizes[store]).toBe(BIG);
      expect(a.retainedSizes[holder]).toBe(BIG + 40);
      expect(a.totalSize).toBe(BIG + 40 + 16);
    });
  }
  it('counts it in full in the totals of a three-snapshot diff (its first two are read, not analysed)', () => {
    const out = execFileSync(process.execPath, [join(REPO, 'bin/heapwatch.js'), 'diff', file, file, file, '--json'], {
      encoding: 'utf8',
    });
    const totals = (JSON.parse(out) as { snapshots: { totalSize: number }[] }).snapshots.map((x) => x.totalSize);
    expect(totals).toEqual([BIG + 56, BIG + 56, BIG + 56]);
  });
});

describe('numbers that stay errors', () => {
  async function failure(file: string, opts: ReadOptions): Promise<string> {
    try {
      await readSnapshot(file, opts);
    } catch (e) {
      expect(e).toBeInstanceOf(HeapwatchError);
      expect((e as HeapwatchError).exitCode).toBe(2);
      return (e as HeapwatchError).message;
    }
    throw new Error(`expected ${file} to be rejected`);
  }

  it('a self size of 2^53+2: one line naming the byte after the number, whatever the scanner and threads', async () => {
    const file = join(dir, 'tiny-2p53.heapsnapshot');
    writeTinySnapshot(
      file,
      [node('root', 'synthetic', '', 1, 0), node('huge', 'native', 'x', 3, 2 ** 53 + 2)],
      [['root', 'element', 1, 'huge']],
    );
    const text = readFileSync(file, 'utf8');
    const digits = '9007199254740994';
    expect(text).toContain(`,${digits},`);
    const after = text.indexOf(`,${digits},`) + 1 + digits.length;
    for (const opts of READS) {
      expect(await failure(file, opts), label(opts)).toBe(`number too large (${file}:${after})`);
    }
  });

  it('a node id over 2^32-1 (only self sizes may be that big)', async () => {
    const file = join(dir, 'tiny-big-id.heapsnapshot');
    writeTinySnapshot(
      file,
      [node('root', 'synthetic', '', 1, 0), node('big', 'object', 'X', 2 ** 32 + 5, 8)],
      [['root', 'element', 1, 'big']],
    );
    const text = readFileSync(file, 'utf8');
    const after = text.indexOf(',4294967301,') + ',4294967301'.length;
    for (const opts of READS) {
      expect(await failure(file, opts), label(opts)).toBe(`number too large (${file}:${after})`);
    }
  });
});

/**
 * Chrome DevTools reads `nodes` into 32-bit arrays (HeapSnapshotLoader: BigUint32Array), so it shows a self size
 * over 2^32-1 modulo 2^32: a 5 GiB ArrayBuffer as 1 GiB. We check our numbers against DevTools' plus exactly
 * what its wrap-around drops (and that, fed the sizes DevTools effectively reads, we equal it object by object).
 */
describe('a real Node snapshot of a process holding a 5 GiB and a 4 GiB+1 byte ArrayBuffer', () => {
  const DROPPED = 2 * 2 ** 32; // what DevTools' wrap-around takes off the two sizes
  let file: string;
  let oracle: OracleResult;
  beforeAll(() => {
    file = join(dir, 'big-buffers.heapsnapshot');
    const program = join(dir, 'big-buffers.cjs');
    // ArrayBuffer memory is committed lazily: the process costs little more than an empty one
    writeFileSync(
      program,
      `class BigHolder { constructor() { this.five = new ArrayBuffer(${FIVE_GIB}); this.fourPlusOne = new ArrayBuffer(${FOUR_GIB_AND_ONE}); } }
globalThis.holder = new BigHolder();
require('node:v8').writeHeapSnapshot(process.argv[2]);
`,
    );
    execFileSync(process.execPath, [program, file], { stdio: 'inherit' });
    oracle = runOracle(file, 500, 20);
  }, 300_000);

  it('reads both sizes exactly on both scanners, one thread and two, and sums them into retained sizes', async () => {
    for (const opts of [READS[0], READS[3]]) {
      const a = analyzeSnapshot(await readSnapshot(file, { ...opts, bufferSize: undefined, chunkSize: 1 << 16 }));
      const s = a.snapshot;
      const big: number[] = [];
      for (let o = 0; o < s.nodeCount; o++) if (s.nodeSelfSize(o) > 2 ** 32) big.push(o);
      expect(big.map((o) => s.nodeSelfSize(o)).sort(), label(opts)).toEqual([FOUR_GIB_AND_ONE, FIVE_GIB]);
      expect(big.map((o) => s.nodeName(o))).toEqual(['system / JSArrayBufferData', 'system / JSArrayBufferData']);
      // DevTools' numbers plus what its wrap-around drops, for every sampled object, and the same dominators
      const dropped = new Map<number, number>();
      for (const b of big) {
        const lost = s.nodeSelfSize(b) - (s.nodeSelfSize(b) % 2 ** 32);
        for (let o = b; ; o = a.dominators[o]) {
          dropped.set(s.nodeId(o), (dropped.get(s.nodeId(o)) ?? 0) + lost);
          if (o === s.rootOrdinal) break;
        }
      }
      const corrected: OracleResult = {
        ...oracle,
        totalSize: oracle.totalSize + DROPPED,
        sample: oracle.sample.map((n) => {
          const self = big.some((b) => s.nodeId(b) === n.id) ? (dropped.get(n.id) ?? 0) : 0;
          return { ...n, selfSize: n.selfSize + self, retainedSize: n.retainedSize + (dropped.get(n.id) ?? 0) };
        }),
      };
      expect(compareWithOracle(a, corrected), label(opts)).toEqual([]);
      // the 5 GiB store and its holder are among the objects compared (DevTools sees the 4 GiB+1 store as 1 byte)
      expect(corrected.sample.some((n) => n.selfSize === FIVE_GIB)).toBe(true);
      expect(corrected.sample.some((n) => n.className === 'BigHolder')).toBe(true);
    }
  });

  it('equals DevTools object by object when given the sizes DevTools reads (each modulo 2^32)', async () => {
    const text = readFileSync(file, 'latin1');
    const wrapped = text.replace(`,${FIVE_GIB},`, `,${FIVE_GIB % 2 ** 32},`).replace(`,${FOUR_GIB_AND_ONE},`, ',1,');
    expect(wrapped.length).toBe(text.length - 9);
    const wrappedFile = join(dir, 'big-buffers-wrapped.heapsnapshot');
    writeFileSync(wrappedFile, wrapped, 'latin1');
    const a = analyzeSnapshot(await readSnapshot(wrappedFile));
    expect(compareWithOracle(a, oracle)).toEqual([]);
  });

  it('analyze --json shows the exact sizes', () => {
    const out = execFileSync(process.execPath, [join(REPO, 'bin/heapwatch.js'), 'analyze', file, '--json'], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      env: { ...process.env, HEAPWATCH_CACHE: join(dir, 'cache') },
    });
    const json = JSON.parse(out) as {
      snapshot: { totalSize: number };
      dominators: { id: number; className: string; selfSize: number; retainedSize: number }[];
      histogram: { className: string; count: number; shallowSize: number }[];
    };
    expect(json.snapshot.totalSize).toBe(oracle.totalSize + DROPPED);
    const top = json.dominators[0];
    const want = oracle.sample.find((n) => n.id === top.id)!;
    expect(top.className).toBe('BigHolder');
    expect({ selfSize: top.selfSize, retainedSize: top.retainedSize }).toEqual({
      selfSize: want.selfSize,
      retainedSize: want.retainedSize + DROPPED,
    });
    const data = json.histogram.find((h) => h.className === 'system / JSArrayBufferData')!;
    expect(data.shallowSize).toBeGreaterThan(FIVE_GIB + FOUR_GIB_AND_ONE);
    expect(data.shallowSize).toBeLessThan(FIVE_GIB + FOUR_GIB_AND_ONE + (1 << 20));
    // a second run, where an index of the first would be reopened, answers the same (test/index/index.test.ts
    // checks what an index of such a snapshot holds); the cache is this test's own folder
    const again = execFileSync(process.execPath, [join(REPO, 'bin/heapwatch.js'), 'analyze', file, '--json'], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      env: { ...process.env, HEAPWATCH_CACHE: join(dir, 'cache') },
    });
    expect(again).toBe(out);
  });
});
