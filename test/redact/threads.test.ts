// `redact` on worker threads (files of 16 MB and more by default; forced here on a small real snapshot): the front
// copied by a thread while the strings and records are parsed. The copy must be byte for byte the one-thread
// copy, and a thread that fails must leave the same copy behind, made on the main thread.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RedactOptions, redactFile } from '../../src/redact/redact-file.js';
import { utf16Length } from '../../src/redact/utf16-length.js';
import { runFixture } from '../leaks/helpers.js';

let dir: string;
let raw: string;
let oneThread: Buffer;

let outputs = 0;
async function redacted(file: string, opts: RedactOptions = {}): Promise<Buffer> {
  const out = join(dir, `out-${outputs++}.heapsnapshot`);
  await redactFile(file, out, opts);
  const bytes = readFileSync(out);
  rmSync(out);
  return bytes;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-redact-threads-'));
  raw = join(dir, 'listeners.heapsnapshot');
  runFixture('listeners.cjs', raw);
  oneThread = await redacted(raw, { threads: false });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('redact on threads', () => {
  test('the front copied by a thread: the same bytes as on one thread', async () => {
    expect(oneThread.length).toBeGreaterThan(1 << 20);
    expect((await redacted(raw, { threads: true })).equals(oneThread)).toBe(true);
  });

  test('a copy thread that fails, at once or after writing garbage: the main thread copies, the same bytes', async () => {
    const scripts = {
      'exits at once': 'process.exit(3);',
      'throws on load': 'throw new Error("boom");',
      // writes over the whole front, then gives up: the main thread must write every byte again
      'writes garbage and fails': `
        import { writeSync } from 'node:fs';
        import { parentPort, workerData } from 'node:worker_threads';
        writeSync(workerData.outFd, Buffer.alloc(workerData.to, 0x5a), 0, workerData.to, 0);
        parentPort.postMessage({ failed: 'no' });`,
    };
    for (const [what, code] of Object.entries(scripts)) {
      const script = join(dir, `copy-${what.replace(/\W+/g, '-')}.mjs`);
      writeFileSync(script, code);
      const copy = await redacted(raw, { threads: true, copyWorkerScript: pathToFileURL(script) });
      expect(copy.equals(oneThread), what).toBe(true);
    }
  });
});

describe('placeholder lengths counted from the bytes', () => {
  const cases = [
    '',
    'plain',
    'é ü 漢字',
    '😀 and 𝄞',
    'tab\tquote" back\\ nul\u0000 line\u2028',
    '\ud800 lone',
    'x'.repeat(300),
  ];
  test('equal to the decoded length, escaped or not', () => {
    for (const str of cases) {
      const body = Buffer.from(JSON.stringify(str).slice(1, -1), 'utf8');
      expect(utf16Length(body, 0, body.length, true), str).toBe(str.length);
      const plain = Buffer.from(str, 'utf8');
      if (plain.toString('utf8') === str && !/["\\\u0000-\u001f]/.test(str)) {
        expect(utf16Length(plain, 0, plain.length, false), str).toBe(str.length);
      }
    }
  });

  test('-1 (decode instead) for anything not well formed', () => {
    const bad = [
      [0xc0, 0x80], // overlong
      [0xe0, 0x80, 0x80], // overlong
      [0xed, 0xa0, 0x80], // a surrogate in UTF-8
      [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
      [0xe2, 0x82], // cut short
      [0x80], // a lone continuation byte
      [0x5c, 0x75, 0x31, 0x32, 0x33], // \u123 cut short
      [0x5c, 0x78], // \x
      [0x22], // a bare quote
      [0x0a], // a raw newline
    ];
    for (const bytes of bad) expect(utf16Length(Uint8Array.from(bytes), 0, bytes.length, true), `${bytes}`).toBe(-1);
    // a backslash in a string the reader did not mark as escaped
    expect(utf16Length(Buffer.from('a\\nb'), 0, 4, false)).toBe(-1);
  });
});
