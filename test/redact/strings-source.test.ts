// The redactor keeps the strings' sizes, not their bytes (string-sizes.ts): what it works out of each string as it
// reads the section must be what the string table gives, and the copy's strings section is written from the file
// read again (strings-source.ts), which must hold the same strings when it is.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BackgroundSyncs } from '../../src/redact/background-syncs.js';
import { Output } from '../../src/redact/output-buffer.js';
import { OutputWriter } from '../../src/redact/output-writer.js';
import { namedStrings } from '../../src/redact/record-uses.js';
import { keeps, Replacer } from '../../src/redact/replacement.js';
import { writeStringsSection } from '../../src/redact/strings-section.js';
import { CODE, DATA, NUMBER_NAME } from '../../src/redact/uses.js';
import { decodedLengths } from '../../src/redact/utf16-length.js';
import { FileWindow } from '../../src/snapshot/file-window.js';
import type { StringTable } from '../../src/snapshot/string-table.js';
import { readStrings } from '../../src/snapshot/strings-section.js';
import { type StringsFile, sectionFile, stringsFile } from './strings-file.js';

let dir: string;
const opened: StringsFile[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-redact-strings-'));
});
afterAll(() => {
  for (const f of opened) f.close();
  rmSync(dir, { recursive: true, force: true });
});
const section = (name: string, text: string): StringsFile => {
  const f = sectionFile(dir, name, text);
  opened.push(f);
  return f;
};

/** The section's strings as the reader's string table holds them. */
function tableOf(f: StringsFile): StringTable {
  return readStrings(new FileWindow(f.fd, statSync(f.file).size, 1 << 16), f.open + 1, () => {}).strings;
}

/** The section's strings as the redacted copy has them, written by writeStringsSection from `f`. */
async function written(f: StringsFile, uses: Uint8Array, replacer = new Replacer('placeholder')): Promise<string> {
  const file = `${f.file}.out`;
  const fd = openSync(file, 'w', 0o600);
  try {
    const out = new Output(new OutputWriter(fd), 0);
    await writeStringsSection(out, f.strings, f.source, uses, replacer, new BackgroundSyncs(fd, 1 << 30));
  } finally {
    closeSync(fd);
  }
  return readFileSync(file, 'utf8');
}

// string bodies as a file may hold them: the names the rules look for, plain and escaped, and near misses
const BODIES = [
  'properties',
  '(object properties)',
  '\\u0070roperties',
  '(object propertie\\u0073)',
  'propertie\\u0073x',
  'Properties',
  'prop\\nerties',
  'propértiés',
  'heap number',
  'smi number',
  'heap\\u0020number',
  'sm\\u0069 number',
  'smi number!',
  'héap number',
  '\\u00e9\\u00fc and \\ud83d\\ude00',
  'é ü 漢字',
  '',
  'tab\\tquote\\" back\\\\',
  'x'.repeat(3000),
];

describe('the strings read for their sizes', () => {
  test("each string's size, flags, placeholder length and name bits: those the string table gives", () => {
    const f = section('facts.json', BODIES.map((b) => `"${b}"`).join(',\n'));
    const table = tableOf(f);
    expect(f.strings.length).toBe(BODIES.length);
    const lengths = decodedLengths(table);
    const named = namedStrings(table);
    for (let i = 0; i < BODIES.length; i++) {
      expect(f.strings.byteLength(i), BODIES[i]).toBe(table.byteLength(i));
      expect(f.strings.flagsOf(i), BODIES[i]).toBe(table.flagsOf(i));
      expect(f.strings.lengths[i], BODIES[i]).toBe(lengths[i]);
      expect(f.strings.named[i], BODIES[i]).toBe(named[i]);
    }
    // the names are found, escaped or not
    expect([...f.strings.named.subarray(0, 5)]).toEqual([1, 2, 1, 2, 0]);
  });

  test("a heap number's name is kept when it is one of V8's labels, escaped or not; the rest are placeholders", async () => {
    const f = section('labels.json', BODIES.map((b) => `"${b}"`).join(',\n'));
    const table = tableOf(f);
    const uses = new Uint8Array(BODIES.length).fill(NUMBER_NAME);
    const want = BODIES.map((b, i) =>
      keeps(table, uses, i) ? `"${b}"` : `"${'x'.repeat(new Replacer('placeholder').placeholderLength(table, i))}"`,
    ).join(',\n');
    expect(await written(f, uses)).toBe(want);
    expect(BODIES.filter((_, i) => keeps(table, uses, i))).toEqual([
      'heap number',
      'smi number',
      'heap\\u0020number',
      'sm\\u0069 number',
    ]);
  });
});

describe('the strings read again', () => {
  test("separators other than V8's (spaces, tabs, CR LF, none): the same strings, written with `,\\n`", async () => {
    const values = ['kept', 'secret', 'é', '', 'last'];
    const uses = Uint8Array.from([CODE, DATA, DATA, CODE, CODE]);
    const v8 = section('v8.json', values.map((v) => JSON.stringify(v)).join(',\n'));
    const odd = section('odd.json', ' "kept" ,\t"secret"\r\n,"é",\n \n"", "last"\n');
    const want = await written(v8, uses);
    expect(want).toBe('"kept",\n"xxxxxx",\n"x",\n"",\n"last"');
    expect(await written(odd, uses)).toBe(want);
  });

  test('a file whose strings changed since they were read: refused, whichever string changed', async () => {
    const values = ['one', 'two', 'three', 'x'.repeat(5 << 20), 'four'];
    const changes = [
      (v: string[]) => v.with(1, 'twoo'), // longer
      (v: string[]) => v.with(2, 'thre'), // shorter
      (v: string[]) => v.with(3, 'y'.repeat((5 << 20) + 1)), // longer, across the window
      (v: string[]) => v.with(4, 'fou'), // the last one shorter
      (v: string[]) => v.slice(0, 4), // one less
    ];
    for (const [k, change] of changes.entries()) {
      const f = stringsFile(dir, `changed-${k}.json`, values);
      opened.push(f);
      writeFileSync(
        f.file,
        `{"strings":[${change(values)
          .map((v) => JSON.stringify(v))
          .join(',\n')}]}`,
      );
      await expect(written(f, new Uint8Array(values.length).fill(CODE)), `change ${k}`).rejects.toThrow(
        'the snapshot changed while it was being read',
      );
    }
  });
});
