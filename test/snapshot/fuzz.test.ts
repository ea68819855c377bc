// Seeded fuzzing of the reader: truncations and byte, number and structure mutations of small real snapshots
// (v8.writeHeapSnapshot of a tiny program, cut down to a few hundred nodes, from this Node and Node 24) and of the
// hand-written one. Every case must end in a consistent HeapSnapshot (equal to what JSON.parse reads whenever
// JSON.parse accepts the bytes) or in the one-line HeapwatchError with exit code 2 and an offset inside the file.
// FUZZ_CASES sets the number of cases (npm run fuzz: 10,000), FUZZ_SEED the seed, FUZZ_PARALLEL=1 two threads always.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HeapwatchError } from '../../src/errors.js';
import { type ReadOptions, readSnapshot } from '../../src/snapshot/reader.js';
import * as fixtures from './helpers.js';
import { rng } from './helpers.js';
import { nodeBinary } from './node-versions.js';

const CASES = Number(process.env.FUZZ_CASES ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261122);
/** FUZZ_PARALLEL=1 reads every case with the worker thread (slower: one worker per case). */
const PARALLEL_ALWAYS = process.env.FUZZ_PARALLEL === '1';

interface Base {
  name: string;
  bytes: Buffer;
  /** [start, end) of every digit run, for number mutations. */
  numbers: [number, number][];
  /** Offsets of structural bytes: [ ] { } , : " */
  structure: number[];
  nodeCount: number;
  nodeFields: number;
}

function makeBase(name: string, text: string, j: fixtures.JsonSnapshot): Base {
  const bytes = Buffer.from(text);
  const numbers: [number, number][] = [];
  const structure: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c >= 48 && c <= 57) {
      const start = i;
      while (i + 1 < bytes.length && bytes[i + 1] >= 48 && bytes[i + 1] <= 57) i++;
      numbers.push([start, i + 1]);
    } else if ('[]{},:"'.includes(String.fromCharCode(c))) {
      structure.push(i);
    }
  }
  return {
    name,
    bytes,
    numbers,
    structure,
    nodeCount: j.snapshot.node_count,
    nodeFields: j.snapshot.meta.node_fields.length,
  };
}

/** Compact layout (no newline per record), as Node 24 and DevTools-saved files have it. */
function compact(j: fixtures.JsonSnapshot): string {
  return JSON.stringify(j);
}

const SECTION_KEYS = ['"snapshot"', '"nodes"', '"edges"', '"strings"', '"locations"', '"samples"', '"meta"'];
const INTERESTING = Buffer.from('[]{},:"\\ \n0123456789-.eEx\u0000\u00ff');

/** One mutation of `b`; returns the new bytes and a description for the failure message. */
function mutate(base: Base, b: Buffer, r: () => number): [Buffer, string] {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const at = Math.floor(r() * (b.length + 1));
  const op = Math.floor(r() * 10);
  switch (op) {
    case 0:
      return [b.subarray(0, at), `truncate at ${at}`];
    case 1: {
      const c = r() < 0.7 ? INTERESTING[Math.floor(r() * INTERESTING.length)] : Math.floor(r() * 256);
      const out = Buffer.from(b);
      if (at < out.length) out[at] = c;
      return [out, `byte ${at} = ${c}`];
    }
    case 2: {
      const ins = Buffer.from(Array.from({ length: 1 + Math.floor(r() * 4) }, () => pick([...INTERESTING])));
      return [
        Buffer.concat([b.subarray(0, at), ins, b.subarray(at)]),
        `insert ${JSON.stringify(ins.toString())} at ${at}`,
      ];
    }
    case 3: {
      const len = 1 + Math.floor(r() * (r() < 0.8 ? 8 : 2000));
      return [Buffer.concat([b.subarray(0, at), b.subarray(at + len)]), `delete ${len} at ${at}`];
    }
    case 4:
    case 5: {
      if (base.bytes !== b) return mutateNumberAnywhere(b, r);
      const [s, e] = pick(base.numbers);
      const n = Number(b.subarray(s, e).toString());
      const v = pick([
        '0',
        '1',
        '4294967295',
        '4294967296',
        '99999999999999999999',
        String(n + 1),
        String(Math.max(0, n - 1)),
        String(n * base.nodeFields),
        String(base.nodeCount * base.nodeFields),
        String(base.nodeCount),
        '',
        '-1',
        '1.5',
        '1e3',
        '007',
        String(Math.floor(r() * 1000)),
      ]);
      return [Buffer.concat([b.subarray(0, s), Buffer.from(v), b.subarray(e)]), `number at ${s} ${n} -> '${v}'`];
    }
    case 6: {
      const s = pick(base.structure.filter((x) => x < b.length));
      const out = Buffer.from(b);
      const c = pick([...Buffer.from('[]{},:" ')]);
      if (s !== undefined) out[s] = c;
      return [out, `structural byte ${s} = ${String.fromCharCode(c)}`];
    }
    case 7: {
      const from = Math.floor(r() * b.length);
      const len = 1 + Math.floor(r() * 300);
      const chunk = b.subarray(from, from + len);
      return [Buffer.concat([b.subarray(0, at), chunk, b.subarray(at)]), `copy ${len} from ${from} to ${at}`];
    }
    case 8: {
      const key = pick(SECTION_KEYS);
      const text = b.toString('latin1');
      const i = text.indexOf(key);
      if (i < 0) return [b, 'no-op'];
      const replacement = pick(['"nodez"', '"strings"', '"edges"', '"x"', '""', '"nodes"']);
      return [
        Buffer.concat([b.subarray(0, i), Buffer.from(replacement), b.subarray(i + key.length)]),
        `rename ${key} to ${replacement}`,
      ];
    }
    default: {
      // a change to the header: counts, field lists, type lists
      const text = b.toString('latin1');
      const edits: [RegExp, string][] = [
        [/"node_count":(\d+)/, `"node_count":${Math.floor(r() * 2 * base.nodeCount)}`],
        [/"edge_count":(\d+)/, `"edge_count":${Math.floor(r() * 4 * base.nodeCount)}`],
        [/"edge_count",/, ''],
        [/"name","id",/, '"id","name",'],
        [/"to_node"/, '"target"'],
        [/\["hidden","array",/, '["array",'],
        [/"node_fields":\[/, '"node_fields":["extra_field",'],
        [/"node_types":\[\[/, '"node_types":["number",['],
        [/"edge_types":\[\[[^\]]*\]/, '"edge_types":[[]'],
        [/"meta":\{/, '"meta":{"meta":1,'],
        [/,"trace_function_count":0/, ',"trace_function_count":0,"extra":[1,{"a":null}]'],
      ];
      const [re, to] = pick(edits);
      return [Buffer.from(text.replace(re, to), 'latin1'), `header ${re} -> ${to}`];
    }
  }
}

function mutateNumberAnywhere(b: Buffer, r: () => number): [Buffer, string] {
  const at = Math.floor(r() * b.length);
  let s = at;
  while (s < b.length && !(b[s] >= 48 && b[s] <= 57)) s++;
  let e = s;
  while (e < b.length && b[e] >= 48 && b[e] <= 57) e++;
  const v = String(Math.floor(r() * 100000));
  return [Buffer.concat([b.subarray(0, s), Buffer.from(v), b.subarray(e)]), `number at ${s} -> ${v}`];
}

function jsonOf(bytes: Buffer): fixtures.JsonSnapshot | undefined {
  try {
    const j = JSON.parse(bytes.toString('utf8')) as fixtures.JsonSnapshot;
    return Array.isArray(j?.nodes) && Array.isArray(j?.edges) && Array.isArray(j?.strings) ? j : undefined;
  } catch {
    return undefined;
  }
}

describe(`reader fuzz (${CASES} cases, seed ${SEED})`, () => {
  const dir = fixtures.tempDir('heapwatch-fuzz-');
  const bases: Base[] = [];

  beforeAll(() => {
    const hand = fixtures.handWritten();
    bases.push(makeBase('hand', fixtures.serializeV8Style(hand), hand));
    bases.push(makeBase('hand-compact', compact(hand), hand));
    const real = fixtures.readJson(fixtures.writeRealSnapshot(join(dir, 'real.heapsnapshot')));
    const small = fixtures.reduceSnapshot(real, 250);
    bases.push(makeBase('real-node20', fixtures.serializeV8Style(small), small));
    const real24 = fixtures.readJson(fixtures.writeRealSnapshot(join(dir, 'real24.heapsnapshot'), nodeBinary(24)));
    const small24 = fixtures.reduceSnapshot(real24, 250);
    bases.push(makeBase('real-node24', compact(small24), small24));
  }, 600_000);

  it('every case ends in a consistent snapshot or a one-line error with exit code 2', {
    timeout: 3_600_000,
  }, async () => {
    const r = rng(SEED);
    const file = join(dir, 'case.heapsnapshot');
    let accepted = 0;
    let rejected = 0;
    // the unmutated bases must read, and equal JSON.parse
    for (const base of bases) {
      writeFileSync(file, base.bytes);
      const s = await readSnapshot(file);
      expect(fixtures.differencesFromJson(s, jsonOf(base.bytes)!), base.name).toEqual([]);
    }
    for (let k = 0; k < CASES; k++) {
      const base = bases[k % bases.length];
      let bytes = base.bytes;
      const steps: string[] = [];
      const count = 1 + (r() < 0.25 ? Math.floor(r() * 3) : 0);
      for (let m = 0; m < count; m++) {
        const [next, what] = mutate(base, bytes, r);
        bytes = next;
        steps.push(what);
      }
      const opts: ReadOptions = {
        bufferSize: [7, 64, 1000, 4 << 20][Math.floor(r() * 4)],
        parallel: PARALLEL_ALWAYS || k % 12 === 5,
        chunkSize: 1 + Math.floor(r() * 5000),
        scanner: k % 4 === 3 ? 'js' : 'auto',
      };
      const label = `case ${k} (${base.name}: ${steps.join('; ')}; ${JSON.stringify(opts)})`;
      writeFileSync(file, bytes);
      let outcome: Awaited<ReturnType<typeof readSnapshot>> | HeapwatchError;
      try {
        outcome = await readSnapshot(file, opts);
      } catch (e) {
        if (!(e instanceof HeapwatchError)) throw new Error(`${label}: not a HeapwatchError: ${(e as Error).stack}`);
        outcome = e;
      }
      if (outcome instanceof HeapwatchError) {
        rejected++;
        expect(outcome.exitCode, `${label}: ${outcome.message}`).toBe(2);
        const m = /^([^\n]+) \((.+):(\d+)\)$/.exec(outcome.message);
        expect(m, `${label}: ${outcome.message}`).not.toBeNull();
        expect(m![2], label).toBe(file);
        expect(Number(m![3]), `${label}: ${outcome.message}`).toBeLessThanOrEqual(bytes.length);
      } else {
        accepted++;
        expect(fixtures.inconsistencies(outcome), label).toEqual([]);
        const j = jsonOf(bytes);
        if (j) expect(fixtures.differencesFromJson(outcome, j), label).toEqual([]);
      }
    }
    // the generator must produce both outcomes, or it is not testing much
    expect(accepted).toBeGreaterThan(CASES / 50);
    expect(rejected).toBeGreaterThan(CASES / 2);
  });
});
