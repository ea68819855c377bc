// Seeded fuzzing of the reader: truncations and byte, number and structure mutations of small real snapshots
// (v8.writeHeapSnapshot of a tiny program, cut down to a few hundred nodes, from this Node and Node 24) and of the
// hand-written one. Every case must end in a consistent HeapSnapshot (equal to what JSON.parse reads whenever
// JSON.parse accepts the bytes) or in the one-line HeapwatchError with exit code 2 and an offset inside the file.
// Files JSON.parse rejects may be accepted only for what the README's "What the reader tolerates" lists (bad UTF-8,
// raw control characters in strings, leading zeros): such a case must read as JSON.parse reads it once those are
// normalised. The test prints accepted/rejected counts per mutation kind.
// FUZZ_CASES sets the number of cases (npm run fuzz: 10,000), FUZZ_SEED the seed, FUZZ_PARALLEL=1 two threads always,
// FUZZ_ANALYZE=1 also runs what histo, node and path do (analysis and reports) on every accepted file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeSnapshot } from '../../src/analysis/index.js';
import { HeapwatchError } from '../../src/errors.js';
import { buildHistoReport } from '../../src/report/histo-report.js';
import { renderHistoText } from '../../src/report/histogram-text.js';
import { buildNodesReport } from '../../src/report/nodes-report.js';
import { renderNodesText } from '../../src/report/nodes-text.js';
import { buildPathsReport, renderPathsText } from '../../src/report/paths-report.js';
import { type ReadOptions, readSnapshot } from '../../src/snapshot/reader.js';
import type { HeapSnapshot } from '../../src/snapshot/snapshot.js';
import * as fixtures from './helpers.js';
import { rng } from './helpers.js';
import { nodeBinary } from './node-versions.js';

const CASES = Number(process.env.FUZZ_CASES ?? 3000);
/**
 * The "whole file in one window" read size. It was the reader's default window (4 MB); any window larger than the
 * file takes the same path, and every case here is under 32 KB (bases of at most 28 KB, a mutation adds at most
 * 300 bytes), so 64 KB reads each in one window too, without zero-filling 4 MB of scanner memory per read (that
 * was a third of the test's CPU time). The rng draws are unchanged: the same cases, the same outcomes.
 */
const WHOLE_FILE = 1 << 16;
const SEED = Number(process.env.FUZZ_SEED ?? 20261122);
/** FUZZ_PARALLEL=1 reads every case with the worker thread (slower: one worker per case). */
const PARALLEL_ALWAYS = process.env.FUZZ_PARALLEL === '1';
const ANALYZE = process.env.FUZZ_ANALYZE === '1';

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

const KINDS = [
  'truncate',
  'byte',
  'insert',
  'delete',
  'number',
  'number',
  'structure',
  'copy',
  'section name',
  'header',
  'bad utf-8',
  'control character',
  'leading zeros',
] as const;
type Kind = (typeof KINDS)[number];

/** Bytes that are not valid UTF-8 where they land: lone continuation, truncated sequences, overlong, surrogate, 0xff. */
const BAD_UTF8 = [
  [0x80],
  [0xc3],
  [0xe2, 0x82],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xff],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
];

/** Offsets inside the strings of `b` (after an opening quote of the strings section), for string mutations. */
function insideStrings(b: Buffer, r: () => number): number {
  const start = b.indexOf('"strings"');
  const quotes: number[] = [];
  for (let i = b.indexOf('[', start) + 1; i < b.length && quotes.length < 4000; i++) if (b[i] === 34) quotes.push(i);
  // an opening quote is every other one (no escaped quotes in the bases' first strings would shift this much)
  const q = quotes[2 * Math.floor((r() * quotes.length) / 2)] ?? start;
  return q + 1;
}

/** One mutation of `b`; returns the new bytes, a description for the failure message and the mutation's kind. */
function mutate(base: Base, b: Buffer, r: () => number): [Buffer, string, Kind] {
  const op = Math.floor(r() * KINDS.length);
  const [out, what] = mutateBy(op, base, b, r);
  return [out, what, KINDS[op]];
}

function mutateBy(op: number, base: Base, b: Buffer, r: () => number): [Buffer, string] {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const at = Math.floor(r() * (b.length + 1));
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
    case 10: {
      const where = r() < 0.8 ? insideStrings(b, r) : at;
      const bad = Buffer.from(pick(BAD_UTF8));
      return [
        Buffer.concat([b.subarray(0, where), bad, b.subarray(where)]),
        `bad UTF-8 ${bad.toString('hex')} at ${where}`,
      ];
    }
    case 11: {
      const where = r() < 0.8 ? insideStrings(b, r) : at;
      const c = Buffer.from([pick([0, 1, 8, 9, 10, 13, 27, 31])]);
      return [
        Buffer.concat([b.subarray(0, where), c, b.subarray(where)]),
        `raw control 0x${c.toString('hex')} at ${where}`,
      ];
    }
    case 12: {
      const [s0, e0] = pick(base.numbers);
      const [s, e] = base.bytes === b ? [s0, e0] : [at, at];
      const zeros = '0'.repeat(1 + Math.floor(r() * 3));
      return [
        Buffer.concat([b.subarray(0, s), Buffer.from(zeros), b.subarray(s)]),
        `leading zeros before ${s} (${e - s} digits)`,
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

function jsonOf(bytes: Buffer | string): fixtures.JsonSnapshot | undefined {
  try {
    const j = JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return Array.isArray(j?.nodes) && Array.isArray(j?.edges) && Array.isArray(j?.strings) ? j : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The bytes as JSON with only what the reader documents as tolerated made strict: invalid UTF-8 decoded to U+FFFD,
 * raw control characters inside strings escaped, leading zeros of numbers dropped.
 */
function toleratedJson(bytes: Buffer): fixtures.JsonSnapshot | undefined {
  const text = bytes.toString('utf8');
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const code = text.charCodeAt(i);
    if (inString) {
      if (c === '\\') {
        out += c + (text[i + 1] ?? '');
        i++;
      } else if (c === '"') {
        inString = false;
        out += c;
      } else out += code < 32 ? `\\u${code.toString(16).padStart(4, '0')}` : c;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '0' && /[0-9]/.test(text[i + 1] ?? '') && !/[0-9.eE+-]/.test(out[out.length - 1] ?? '')) {
      // a leading zero of a number: dropped
    } else out += c;
  }
  return jsonOf(out);
}

/** What `heapwatch histo`, `node <id>` and `path <id>` compute and print, on an accepted case. */
function runCommands(s: HeapSnapshot, file: string): void {
  const a = analyzeSnapshot(s);
  renderHistoText(buildHistoReport(file, a, 'retained', 20));
  const ids = [s.nodeId(0), s.nodeId(s.nodeCount - 1), s.nodeId(Math.floor(s.nodeCount / 2))];
  renderNodesText(buildNodesReport(file, a, ids, 5));
  for (const id of ids) renderPathsText(buildPathsReport(file, a, id, 3));
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
    const counts = new Map<string, { accepted: number; rejected: number; tolerated: number }>();
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
      const kinds = new Set<Kind>();
      const count = 1 + (r() < 0.25 ? Math.floor(r() * 3) : 0);
      for (let m = 0; m < count; m++) {
        const [next, what, kind] = mutate(base, bytes, r);
        bytes = next;
        steps.push(what);
        kinds.add(kind);
      }
      const kindKey = kinds.size === 1 ? [...kinds][0] : '(several kinds)';
      const tally = counts.get(kindKey) ?? { accepted: 0, rejected: 0, tolerated: 0 };
      counts.set(kindKey, tally);
      const opts: ReadOptions = {
        bufferSize: [7, 64, 1000, WHOLE_FILE][Math.floor(r() * 4)],
        parallel: PARALLEL_ALWAYS || k % 12 === 5,
        chunkSize: 1 + Math.floor(r() * 5000),
        scanner: k % 4 === 3 ? 'js' : 'auto',
      };
      const label = `case ${k} (${base.name}: ${steps.join('; ')}; ${JSON.stringify(opts)})`;
      if (opts.bufferSize === WHOLE_FILE) expect(bytes.length, label).toBeLessThan(WHOLE_FILE);
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
        tally.rejected++;
        expect(outcome.exitCode, `${label}: ${outcome.message}`).toBe(2);
        const m = /^([^\n]+) \((.+):(\d+)\)$/.exec(outcome.message);
        expect(m, `${label}: ${outcome.message}`).not.toBeNull();
        expect(m![2], label).toBe(file);
        expect(Number(m![3]), `${label}: ${outcome.message}`).toBeLessThanOrEqual(bytes.length);
      } else {
        accepted++;
        tally.accepted++;
        expect(fixtures.inconsistencies(outcome), label).toEqual([]);
        let j = jsonOf(bytes);
        if (!j) {
          // JSON.parse refuses it: accepted only for what the README documents, and read as documented
          j = toleratedJson(bytes);
          expect(j, `${label}: accepted, but not valid JSON even with the documented tolerances`).toBeDefined();
          tally.tolerated++;
        }
        expect(fixtures.differencesFromJson(outcome, j!), label).toEqual([]);
        if (ANALYZE) runCommands(outcome, file);
      }
    }
    const rows = [...counts].sort(([a], [b]) => (a < b ? -1 : 1));
    const table = rows.map(
      ([kind, c]) =>
        `  ${kind.padEnd(18)} accepted ${String(c.accepted).padStart(5)} (tolerated ${c.tolerated})  rejected ${String(c.rejected).padStart(5)}`,
    );
    process.stdout.write(
      `fuzz: ${CASES} cases, seed ${SEED}: accepted ${accepted}, rejected ${rejected}${ANALYZE ? ', histo/node/path run on every accepted file' : ''}\n${table.join('\n')}\n`,
    );
    // the generator must produce both outcomes, or it is not testing much
    expect(accepted).toBeGreaterThan(CASES / 50);
    expect(rejected).toBeGreaterThan(CASES / 2);
  });
});
