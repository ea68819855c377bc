import { closeSync, fstatSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EphemeronNames, ephemeronTable, SHORTEST_EPHEMERON_NAME } from '../../src/analysis/essential-edges.js';
import { FileWindow } from '../../src/snapshot/file-window.js';
import { SnapshotFormatError } from '../../src/snapshot/format-error.js';
import { ASCII, StringTable, StringTableBuilder } from '../../src/snapshot/string-table.js';
import { readStrings, validEscapes } from '../../src/snapshot/strings-section.js';
import { WasmStringScanner } from '../../src/snapshot/wasm/wasm-strings.js';
import { tempDir } from './helpers.js';

const dir = tempDir('heapwatch-strings-');

/**
 * The strings of a section whose text (between its brackets) is `body`, as V8 lays it out: raw bytes, so tests
 * can hold invalid UTF-8 and escapes JSON.stringify would not write.
 */
const V8_BODY = Buffer.concat([
  Buffer.from(
    [
      '""',
      '"Object"',
      '"a"',
      '"system / ExternalStringData"',
      '"quote \\" backslash \\\\ slash \\/ \\b\\f\\n\\r\\t"',
      '"\\u004fbject"', // "Object", escaped
      '"é ü 漢字"',
      '"😀 astral"',
      '"\\ud83d\\ude00 pair"',
      '"\\ud800 lone high, \\udc00 lone low"',
      '"\\u00e9\\u00E9 hex of both cases"',
      `"${'long '.repeat(200)}"`,
      '"1 / part of key (Object @3) -> value (Object @5) pair in WeakMap (table @7)"',
      '"\\u0031\\u0032 / part of key (Object @3) -> value (Object @5) pair in WeakMap (table @8)"',
      '"12 / part of key but not an ephemeron name, long enough to be looked at"',
      '"Object"',
      '""',
    ].join(',\n'),
  ),
  Buffer.from(',\n"bad utf-8: \xff\xfe, cut: \xe6\xbc"', 'latin1'),
  Buffer.from(',"\xe6\xbc"', 'latin1'), // a cut sequence at the end of a string
]);

function sectionFile(name: string, body: Buffer | string): string {
  const file = join(dir, name);
  writeFileSync(file, Buffer.concat([Buffer.from('['), Buffer.from(body), Buffer.from(']')]));
  return file;
}

/** The two readers of the strings section: the JS one, and WebAssembly with the JS one for what it leaves. */
const READERS = ['js', 'wasm'] as const;
type Reader = (typeof READERS)[number];

/** readStrings over a whole file that is just the section, with the given window and chunk sizes. */
function readSection(file: string, bufferSize = 1 << 16, chunkBytes?: number, reader: Reader = 'wasm'): StringTable {
  const fd = openSync(file, 'r');
  try {
    const scanner = reader === 'wasm' ? new WasmStringScanner(bufferSize) : undefined;
    const win = new FileWindow(fd, fstatSync(fd).size, bufferSize, scanner?.window);
    const { strings, end } = readStrings(win, 1, () => {}, chunkBytes, scanner);
    expect(end).toBe(win.size);
    return strings;
  } finally {
    closeSync(fd);
  }
}

/** What JSON.parse makes of the same bytes (decoded as UTF-8 first, as the reader did before the table). */
function parsed(body: Buffer): string[] {
  return JSON.parse(`[${body.toString('utf8')}]`) as string[];
}

describe('StringTable read from a strings section', () => {
  const file = sectionFile('v8.json', V8_BODY);
  const want = parsed(V8_BODY);

  it('decodes every string as JSON.parse does, at every window and chunk size', () => {
    expect(want).toContain('Object');
    expect(want).toContain('\ud83d\ude00 pair');
    expect(want).toContain('\ud800 lone high, \udc00 lone low');
    expect(want[want.length - 2]).toBe('bad utf-8: \ufffd\ufffd, cut: \ufffd');
    for (const reader of READERS) {
      for (const bufferSize of [1, 2, 3, 5, 8, 13, 64, 1 << 16]) {
        for (const chunkBytes of [1, 2, 3, 7, 64, 1000, undefined]) {
          const t = readSection(file, bufferSize, chunkBytes, reader);
          const where = { reader, bufferSize, chunkBytes };
          expect({ ...where, strings: t.toArray() }).toEqual({ ...where, strings: want });
          expect(want.map((_, i) => t.get(i))).toEqual(want);
        }
      }
    }
  });

  it('reads the code units of each string as charCodeAt does, mostly without decoding', () => {
    for (const chunkBytes of [1, 5, undefined]) {
      const t = readSection(file, 7, chunkBytes);
      want.forEach((str, i) => {
        for (let k = 0; k <= Math.min(str.length, 40); k++) {
          expect([i, k, t.charCodeAt(i, k)]).toEqual([i, k, str.charCodeAt(k)]);
        }
        expect(t.isEmpty(i)).toBe(str === '');
        expect(t.byteLength(i)).toBeGreaterThanOrEqual(str.length);
      });
    }
  });

  it('finds strings by value: bytes for ASCII, escapes decoded, first index at or after `from`', () => {
    const t = readSection(file, 5, 3);
    expect(t.indexOf('Object')).toBe(1);
    expect(t.indexOf('Object', 2)).toBe(5); // written as \u004fbject
    expect(t.indexOf('Object', 6)).toBe(15);
    expect(t.indexOf('Object', 16)).toBe(-1);
    expect(t.indexOf('')).toBe(0);
    expect(t.indexOf('', 1)).toBe(16);
    expect(t.indexOf('system / ExternalStringData')).toBe(3);
    expect(t.indexOf('system / ExternalStringDat')).toBe(-1);
    expect(t.indexOf('é ü 漢字')).toBe(6);
    expect(t.indexOf('\ud83d\ude00 pair')).toBe(8);
    expect(t.indexOf('\ud800 lone high, \udc00 lone low')).toBe(9);
    expect(t.indexOf('quote " backslash \\ slash / \b\f\n\r\t')).toBe(4);
    expect(t.indexOf('quote " backslash \\ slash / \b\f\n\r')).toBe(-1);
    expect(t.indexOf('bad utf-8: \ufffd\ufffd, cut: \ufffd')).toBe(want.length - 2);
    want.forEach((str, i) => {
      expect(t.indexOf(str)).toBe(want.indexOf(str));
      expect(t.equals(i, str)).toBe(true);
      expect(t.equals(i, `${str}x`)).toBe(false);
    });
  });

  it('hands back the same decoded string when asked again', () => {
    const t = readSection(file);
    expect(t.get(11)).toBe('long '.repeat(200));
    expect(t.get(11)).toBe(t.get(11));
    expect(() => t.get(want.length)).toThrow(RangeError);
    expect(() => t.get(-1)).toThrow(RangeError);
  });

  it('reads an empty section', () => {
    const t = readSection(sectionFile('empty.json', ''));
    expect(t.length).toBe(0);
    expect(t.toArray()).toEqual([]);
    expect(t.indexOf('')).toBe(-1);
  });
});

describe('a string longer than the window', () => {
  it('grows the window for it, then goes back to the window of the WebAssembly reader for the rest', () => {
    const parts = ['"a"', `"${'long\\n'.repeat(5000)}"`];
    for (let k = 0; k < 3000; k++) parts.push(`"s${k} \\"q\\" é"`);
    const body = parts.join(',\n');
    const file = sectionFile('long-then-short.json', body);
    const fd = openSync(file, 'r');
    try {
      const scanner = new WasmStringScanner(4096);
      const win = new FileWindow(fd, fstatSync(fd).size, 4096, scanner.window);
      const { strings } = readStrings(win, 1, () => {}, undefined, scanner);
      expect(strings.toArray()).toEqual(JSON.parse(`[${body}]`));
      expect(win.buf).toBe(scanner.window);
    } finally {
      closeSync(fd);
    }
  });
});

describe('escapes are checked at read time', () => {
  const cases: [string, string][] = [
    ['an unknown letter', '"ok","bad \\q"'],
    ['a short \\u', '"ok","bad \\u12"'],
    ['a \\u with a non-hex digit', '"ok","bad \\u12G4 escape"'],
    ['a single-quote escape', '"ok","bad \\\' escape"'],
    ['a raw control character beside an escape', '"ok","bad: tab\\t and raw \u0001"'],
    ['an escaped x', '"ok","bad \\x41"'],
  ];
  // each also followed by more strings, so the WebAssembly reader has the bad one whole in its window
  for (const [what, body] of cases.flatMap(([w, b]) => [
    [w, b],
    [`${w}, then more`, `${b},"${'more strings after it '.repeat(3)}"`],
  ])) {
    it(`rejects ${what} at the string's opening quote, at every window size`, () => {
      const file = sectionFile(`bad-${what.replace(/\W+/g, '-')}.json`, body);
      expect(() => JSON.parse(`[${body}]`)).toThrow();
      for (const [bufferSize, reader] of READERS.flatMap((r) => [1, 2, 5, 64, 1 << 16].map((b) => [b, r] as const))) {
        let err: unknown;
        try {
          readSection(file, bufferSize, undefined, reader);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(SnapshotFormatError);
        expect((err as SnapshotFormatError).what).toBe('bad escape in a string');
        expect((err as SnapshotFormatError).offset).toBe(1 + body.indexOf('"bad'));
      }
    });
  }

  it('accepts a raw control character in a string without escapes, as before', () => {
    for (const reader of READERS) {
      const body = `"raw \u0001 \u001f",${'"padding past sixteen bytes",'.repeat(3)}"raw \u0002"`;
      const t = readSection(sectionFile('raw.json', body), 1 << 16, undefined, reader);
      expect(t.get(0)).toBe('raw \u0001 \u001f');
      expect(t.get(4)).toBe('raw \u0002');
    }
  });

  it('reads random V8-style sections as JSON.parse does, or rejects them where it does, with both readers', () => {
    const pieces = ['a', 'Object', ' ', 'é', '漢字', '😀', '\\n', '\\"', '\\\\', '\\/', '\\u00e9', '\\uD800', '\\t'];
    const wrong = ['\\x', '\\u12', '\\uZZZZ', "\\'", '\\0', '\\ ', '\\u00e'];
    let seed = 11;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let n = 0; n < 150; n++) {
      const strings: string[] = [];
      for (let k = Math.floor(next() * 300); k >= 0; k--) {
        let text = '';
        const long = next() < 0.05 ? 40 + Math.floor(next() * 200) : Math.floor(next() * 12);
        for (let j = 0; j < long; j++) {
          const from = next() < 0.002 ? wrong : pieces;
          text += from[Math.floor(next() * from.length)];
        }
        strings.push(`"${text}"`);
      }
      const body = strings.map((t, k) => (k === 0 ? t : next() < 0.5 ? `,${t}` : next() < 0.9 ? `,\n${t}` : ` , ${t}`));
      const text = body.join('');
      let want: string[] | null = null;
      try {
        want = JSON.parse(`[${text}]`);
      } catch {}
      const file = sectionFile(`random-${n}.json`, text);
      const bufferSize = [64, 100, 1000, 1 << 16][n % 4];
      const chunkBytes = [undefined, 50, 5000][n % 3];
      const outcomes = READERS.map((reader) => {
        try {
          return readSection(file, bufferSize, chunkBytes, reader).toArray();
        } catch (e) {
          return e instanceof SnapshotFormatError ? `${e.what} @${e.offset}` : e;
        }
      });
      expect(outcomes[1], `case ${n}`).toEqual(outcomes[0]);
      if (want) expect(outcomes[1], `case ${n}`).toEqual(want);
      else expect(typeof outcomes[1], `case ${n}`).toBe('string');
    }
  });

  it('agrees with JSON.parse on random escape sequences', () => {
    const pieces = ['a', 'é', '\u0001', '\u007f', '\\n', '\\"', '\\\\', '\\/', '\\u00e9', '\\uD800', '\\udfff'];
    const wrong = ['\\x', '\\u12', '\\uZZZZ', '\\u12g4', "\\'", '\\a', '\\U0041', '\\0', '\\ '];
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let n = 0; n < 3000; n++) {
      let text = '';
      for (let k = Math.floor(next() * 6); k >= 0; k--) {
        const from = next() < 0.2 ? wrong : pieces;
        text += from[Math.floor(next() * from.length)];
      }
      const bytes = Buffer.from(text, 'utf8');
      let ok = true;
      try {
        JSON.parse(`"${text}"`);
      } catch {
        ok = false;
      }
      expect([text, validEscapes(bytes, 0, bytes.length)]).toEqual([text, ok]);
    }
  });
});

describe('StringTable.fromStrings', () => {
  const strings = [
    '',
    'Object',
    'é ü 漢字',
    '😀',
    '\ud800 lone',
    'lone low \udc00',
    'quote " backslash \\ \t \u0001',
    '\\u0041 (not an escape)',
    '',
  ];

  it('holds any strings, lone surrogates included', () => {
    const t = StringTable.fromStrings(strings);
    expect(t.length).toBe(strings.length);
    expect(t.toArray()).toEqual(strings);
    strings.forEach((str, i) => {
      expect(t.indexOf(str)).toBe(strings.indexOf(str));
      for (let k = 0; k <= str.length; k++) expect(t.charCodeAt(i, k)).toEqual(str.charCodeAt(k));
    });
    expect(t.indexOf('', 1)).toBe(8);
    expect(StringTable.fromStrings([]).length).toBe(0);
  });
});

describe('StringTableBuilder', () => {
  it('keeps offsets as doubles when the bytes may pass 4 GiB, and starts a chunk for a string too long for one', () => {
    const builder = new StringTableBuilder(2 ** 32, 4);
    const strings = ['Object', 'a string longer than a chunk', '', 'é'];
    for (const str of strings) {
      const b = Buffer.from(str);
      builder.copy(b, 0, b.length, b.length === str.length ? ASCII : 0, 2 ** 32);
    }
    const t = builder.finish();
    expect(t.toArray()).toEqual(strings);
    expect(t.indexOf('a string longer than a chunk')).toBe(1);
    expect(t.charCodeAt(3, 0)).toBe(0xe9);
    expect((t as unknown as { ends: unknown }).ends).toBeInstanceOf(Float64Array);
    expect((StringTable.fromStrings(strings) as unknown as { ends: unknown }).ends).toBeInstanceOf(Uint32Array);
  });
});

describe('ephemeron names from the table', () => {
  it('finds them by their bytes, escaped digits included; shorter strings are never one', () => {
    const t = StringTable.fromStrings(['x', SHORTEST_EPHEMERON_NAME, SHORTEST_EPHEMERON_NAME.slice(0, -1)]);
    const names = new EphemeronNames(t);
    expect(names.tableIdOf(1)).toBe(0);
    expect(names.tableIdOf(2)).toBe(-1);
    expect(names.tableIdOf(0)).toBe(-1);
    expect(names.tableIdOf(3)).toBe(-1); // past the table
    const read = readSection(sectionFile('ephemerons.json', V8_BODY), 3, 5);
    expect(Array.from(ephemeronTable(read))).toEqual([12, 7, 13, 8]);
  });
});
