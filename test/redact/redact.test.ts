// `heapwatch redact` and `analyze --redact` on real snapshots: secrets planted in a real process leave no byte
// in the redacted copy; DevTools' numbers on the copy equal those on the original object by object; the leak
// fixtures' suspects still name their holders.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { redactFile } from '../../src/redact/redact-file.js';
import type { SuspectJson } from '../../src/report/leak-findings.js';
import { type OracleNode, runOracle } from '../helpers/devtools-oracle.js';
import { heapwatch, runFixture } from '../leaks/helpers.js';
import { nodeBinary } from '../snapshot/node-versions.js';

const fixture = fileURLToPath(new URL('./fixtures/secrets.cjs', import.meta.url));
let dir: string;
let raw: string;
let redacted: string;
let hashed: string;
// upper-case letters outside hex and the placeholder: no number, keyed hash (hex) or placeholder (x) of the redacted
// copies can hold a run of them by chance (a hex tag did: '112553' matched a node id, '1c29e9' a hash)
const TAG_LETTERS = 'GHIJKLMNOPQRSTUVWYZ';
const tag = Array.from(randomBytes(12), (b) => TAG_LETTERS[b % TAG_LETTERS.length]).join('');
const secrets = {
  apiKey: `sk_live_${tag}Q9vXk2Lm`,
  jwt: `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI${tag}.Zm9vYmFyYmF6cXV4`,
  email: `alice.${tag}@example.org`,
  otherEmail: `bob.${tag}@example.com`,
  password: `correct-horse-${tag}-staple`,
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-redact-'));
  raw = join(dir, 'secrets.heapsnapshot');
  const r = spawnSync(process.execPath, [fixture, raw], {
    env: { ...process.env, SECRETS: JSON.stringify(secrets) },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  redacted = join(dir, 'secrets.redacted.heapsnapshot');
  hashed = join(dir, 'secrets.hashed.heapsnapshot');
  expect(heapwatch('redact', raw, redacted).code).toBe(0);
  expect(heapwatch('redact', '--keep-equal', raw, hashed).code).toBe(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The pieces of the secrets found in `bytes`: each whole secret, each run of 6 characters that holds at least 4
 * of the random tag (no other string of the heap holds those), and the secrets' own random-looking parts.
 */
function secretPieces(bytes: Buffer): string[] {
  const pieces = new Set<string>(['Q9vXk2Lm', 'Zm9vYmFyYmF6cXV4', 'eyJzdWIiOiI']);
  for (const secret of Object.values(secrets)) {
    pieces.add(secret);
    const at = secret.indexOf(tag);
    for (let k = at - 2; k <= at + tag.length - 4; k++) pieces.add(secret.slice(k, k + 6));
  }
  return [...pieces].filter((piece) => bytes.includes(piece));
}

describe('heapwatch redact', () => {
  test('the original holds every secret; the redacted copies hold none of their bytes', () => {
    const original = readFileSync(raw);
    for (const secret of Object.values(secrets)) expect(original.includes(secret)).toBe(true);
    expect(secretPieces(original).length).toBeGreaterThan(20);
    expect(secretPieces(readFileSync(redacted))).toEqual([]);
    expect(secretPieces(readFileSync(hashed))).toEqual([]);
    expect(readFileSync(redacted).includes(tag)).toBe(false);
    expect(readFileSync(hashed).includes(tag)).toBe(false);
    expect(statSync(redacted).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test("code names stay: class, function and variable names, fast-mode property names, the dictionary's own name", () => {
    const text = readFileSync(redacted, 'utf8');
    for (const name of ['"Credentials"', '"makeClient"', '"password"', '"usersByEmail"', '"sessions"', '"apiKey"']) {
      expect(text).toContain(name);
    }
  });

  test("DevTools' numbers on the redacted copy equal those on the original, object by object", () => {
    const before = runOracle(raw, 2000, 50);
    const after = runOracle(redacted, 2000, 50);
    const numbers = (n: OracleNode) => [n.id, n.type, n.selfSize, n.retainedSize, n.dominatorId];
    expect(after.nodeCount).toBe(before.nodeCount);
    expect(after.totalSize).toBe(before.totalSize);
    expect(after.sample.length).toBe(before.sample.length);
    expect(after.sample.map(numbers)).toEqual(before.sample.map(numbers));
    expect(after.topLevelDominators.map(numbers)).toEqual(before.topLevelDominators.map(numbers));
    // objects keep their class names (strings are '(string)' either way). A plain Object is the exception: DevTools
    // names it by a property list (`{a, b}`) shared by at least 1 in 1,000 plain objects, else `Object`; where those
    // names are data, their placeholders make lists of equal lengths equal, and a list can then pass that bar (seen:
    // a dictionary `Object` became `{xxxxxxxxxxx, …}`), so both names count as the same plain object here
    const classes = (n: OracleNode) =>
      n.type !== 'object'
        ? n.type
        : n.className === 'Object' || n.className.startsWith('{')
          ? 'plain Object'
          : n.className;
    expect(after.sample.map(classes)).toEqual(before.sample.map(classes));
  }, 300_000);

  test('--keep-equal: equal values stay equal, so the duplicate strings are the same rows by count and size', () => {
    const dups = (file: string) => {
      const r = heapwatch('analyze', file, '--json', '--top', '50');
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.out) as { duplicateStrings: { count: number; wastedSize?: number; value: string }[] };
      return doc.duplicateStrings;
    };
    const before = dups(raw);
    const after = dups(hashed);
    expect(after.length).toBe(before.length);
    // rows tied at the cut may differ by value order: compare those above the last row's size
    const cut = before[before.length - 1].wastedSize ?? 0;
    const shape = (rows: typeof before) =>
      rows
        .filter((row) => (row.wastedSize ?? 0) > cut)
        .map(({ value: _value, ...rest }) => JSON.stringify(rest))
        .sort();
    expect(shape(before).length).toBeGreaterThan(20);
    expect(shape(after)).toEqual(shape(before));
  });

  test('analyze --redact prints what analyze prints of the redacted copy, and no secret', () => {
    const onTheFly = heapwatch('analyze', '--redact', raw, '--top', '30');
    const ofCopy = heapwatch('analyze', redacted, '--top', '30');
    expect(onTheFly.code).toBe(0);
    expect(onTheFly.out.split(raw).join('FILE')).toBe(ofCopy.out.split(redacted).join('FILE'));
    expect(secretPieces(Buffer.from(onTheFly.out))).toEqual([]);
    const json = heapwatch('analyze', '--redact', '--json', raw);
    expect(secretPieces(Buffer.from(json.out))).toEqual([]);
  });

  test('bad input: one line with the byte offset, exit 2, nothing written', () => {
    const cut = join(dir, 'cut.heapsnapshot');
    const bytes = readFileSync(raw);
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.4)));
    const out = join(dir, 'cut.redacted.heapsnapshot');
    const r = heapwatch('redact', cut, out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^heapwatch: .+ \(.*cut\.heapsnapshot:\d+\)\n$/);
    expect(readdirSync(dir).filter((f) => f.startsWith('cut.redacted') || f.startsWith('.cut.'))).toEqual([]);
    expect(heapwatch('redact', raw, raw).code).toBe(2);
  });
});

/** Redacting `file` the way of big files (threads forced, small edge chunks) gives the bytes of `want`. */
async function expectSameOnThreads(file: string, want: string): Promise<void> {
  const out = join(dir, 'on-threads.heapsnapshot');
  await redactFile(file, out, { threads: true, threadOptions: { chunkSize: 4096 } });
  expect(readFileSync(out).equals(readFileSync(want))).toBe(true);
  rmSync(out);
}

describe('redact on threads', () => {
  test('the secrets file (dictionary property names, Map keys) on threads: the bytes of one thread', async () => {
    await expectSameOnThreads(raw, redacted);
  });
});

describe('snapshots of Node 22 and 24 (their layouts differ)', () => {
  test.each([22, 24])(
    'Node %i: the secrets leave no byte; the copy ends whole even when its last string is redacted',
    async (major) => {
      const file = join(dir, `secrets-node${major}.heapsnapshot`);
      const r = spawnSync(nodeBinary(major), [fixture, file], {
        env: { ...process.env, SECRETS: JSON.stringify(secrets) },
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(r.stderr);
      const out = join(dir, `secrets-node${major}.redacted.heapsnapshot`);
      const red = heapwatch('redact', file, out);
      expect(red.err).toBe('');
      expect(red.code).toBe(0);
      expect(secretPieces(readFileSync(file)).length).toBeGreaterThan(20);
      expect(secretPieces(readFileSync(out))).toEqual([]);
      expect(readFileSync(out).subarray(-2).toString()).toBe(']}');
      // the way of big files (nodes and edges on two threads, each writing what it parses), forced: the same bytes
      await expectSameOnThreads(file, out);
    },
  );
});

describe("leak fixtures' suspects on redacted snapshots", () => {
  const suspectOf = (file: string): SuspectJson => {
    const r = heapwatch('analyze', file, '--json');
    expect(r.code).toBe(0);
    return (JSON.parse(r.out) as { suspects: SuspectJson[] }).suspects[0];
  };

  test.each([
    ['listeners.cjs', ['orderEvents', '_events'], 'onOrderUpdated()'],
    ['cache.cjs', ['getSession()', 'context', 'sessionCache'], 'Session'],
    ['registry.cjs', ['ConnectionRegistry()', 'connections'], 'Connection'],
  ])('%s: the same suspect, holder and path names', (name, pathNames, holds) => {
    const snap = join(dir, `${name}.heapsnapshot`);
    runFixture(name, snap);
    const out = join(dir, `${name}.redacted.heapsnapshot`);
    expect(heapwatch('redact', snap, out).code).toBe(0);
    const before = suspectOf(snap);
    const after = suspectOf(out);
    expect(after.retainedSize).toBe(before.retainedSize);
    expect(after.className).toBe(before.className);
    expect(after.holds[0]).toEqual(before.holds[0]);
    expect(after.holds[0].className).toBe(holds);
    expect(after.pathText).toContain(pathNames.join(' → '));
    expect(after.path.map((step) => step.edge).length).toBe(before.path.length);
  });
});
