// The two ways `redact` reads a snapshot: one pass (the strings found from the end, then nodes and edges parsed as
// the front is copied) for files laid out as V8 writes them, two passes for any other. Both give the same bytes; a
// file laid out otherwise, or with a defect, takes the two-pass way and reports what it always reported.
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FrontCopy } from '../../src/redact/front-copy.js';
import { readOnePass } from '../../src/redact/one-pass.js';
import { OutputWriter } from '../../src/redact/output-writer.js';
import { type RedactOptions, redactFile } from '../../src/redact/redact-file.js';
import { readSnapshot } from '../../src/snapshot/reader.js';
import { runFixture } from '../leaks/helpers.js';
import { redactedBytes } from './redacted-bytes.js';

let dir: string;
let raw: string;
let doc: Record<string, unknown>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-redact-one-pass-'));
  raw = join(dir, 'listeners.heapsnapshot');
  runFixture('listeners.cjs', raw);
  doc = JSON.parse(readFileSync(raw, 'utf8')) as Record<string, unknown>;
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const redacted = (file: string, opts: RedactOptions = {}): Promise<Buffer> => redactedBytes(dir, file, opts);

/** Whether the one-pass way takes the file (its copy of the front goes to a scratch file). */
function takesOnePass(file: string): boolean {
  const scratch = join(dir, 'scratch');
  const fd = openSync(file, 'r');
  const out = openSync(scratch, 'wx', 0o600);
  try {
    return readOnePass(fd, statSync(file).size, new FrontCopy(fd, out, new OutputWriter(out)), () => {}) !== null;
  } finally {
    closeSync(fd);
    closeSync(out);
    rmSync(scratch);
  }
}

/** The snapshot's sections written back in this key order, as JSON.stringify writes them (no newlines). */
function rewritten(name: string, keys: string[], extra = ''): string {
  const file = join(dir, name);
  const body = keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(doc[k])}`).join(',');
  writeFileSync(file, `{${body}${extra}}`);
  return file;
}

describe('redact: one pass and two passes', () => {
  test("V8's own file takes one pass; the copy is byte for byte the two-pass copy", async () => {
    expect(takesOnePass(raw)).toBe(true);
    const twoPass = await redacted(raw, { twoPass: true });
    expect(twoPass.length).toBeGreaterThan(1 << 20);
    expect((await redacted(raw)).equals(twoPass)).toBe(true);
  });

  test('the same file written without newlines takes one pass too, with the same result as two passes', async () => {
    const compact = rewritten('compact.heapsnapshot', Object.keys(doc));
    expect(takesOnePass(compact)).toBe(true);
    const one = await redacted(compact);
    expect(one.equals(await redacted(compact, { twoPass: true }))).toBe(true);
    // the same strings as the copy of the original (the layout of the rest differs)
    const strings = (bytes: Buffer) => (JSON.parse(bytes.toString('utf8')) as { strings: string[] }).strings;
    expect(strings(one)).toEqual(strings(await redacted(raw)));
  });

  test('strings not last, or a strings key after the real one: two passes, and the same strings redacted', async () => {
    const keys = Object.keys(doc);
    expect(keys[keys.length - 1]).toBe('strings');
    const first = rewritten('strings-first.heapsnapshot', ['strings', ...keys.filter((k) => k !== 'strings')]);
    const trap = rewritten('trap.heapsnapshot', keys, ',"extra":{"strings":["a"]}');
    const expected = (JSON.parse((await redacted(raw)).toString('utf8')) as { strings: string[] }).strings;
    for (const file of [first, trap]) {
      expect(takesOnePass(file)).toBe(false);
      const copy = join(dir, 'copy.heapsnapshot');
      await redactFile(file, copy);
      // the copy still reads as a snapshot, and its strings are those of the original's copy
      const snapshot = await readSnapshot(copy);
      expect(Array.from({ length: snapshot.strings.length }, (_, i) => snapshot.strings.get(i))).toEqual(expected);
      rmSync(copy);
    }
  });

  test('a defect in a file laid out as V8 writes it: the error two passes give, with its offset; nothing left', async () => {
    const text = readFileSync(raw, 'utf8');
    const edgesAt = text.indexOf('"edges":[') + '"edges":['.length;
    // the first edge's to_node, made one more than a multiple of node_fields
    const third = text.indexOf(',', text.indexOf(',', edgesAt) + 1) + 1;
    const end = text.indexOf(',', third);
    const broken = join(dir, 'broken.heapsnapshot');
    writeFileSync(broken, `${text.slice(0, third)}${Number(text.slice(third, end)) + 1}${text.slice(end)}`);
    expect(takesOnePass(broken)).toBe(false);
    const failure = async (opts: RedactOptions) => {
      const out = join(dir, 'broken.redacted.heapsnapshot');
      const e = await redactFile(broken, out, opts).then(
        () => null,
        (err: Error) => err,
      );
      expect(readdirSync(dir).filter((f) => f.includes('broken.redacted'))).toEqual([]);
      return e?.message;
    };
    const message = await failure({});
    expect(message).toBe(`edge to_node is not a node (${broken}:${third})`);
    expect(await failure({ twoPass: true })).toBe(message);
  });
});
