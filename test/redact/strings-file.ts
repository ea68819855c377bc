import { closeSync, openSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StringSizes } from '../../src/redact/string-sizes.js';
import { StringsSource } from '../../src/redact/strings-source.js';
import { findTrailingStrings } from '../../src/redact/trailing-strings.js';

/** A file whose strings section is `[<section>]`, read as the redactor reads one: the sizes, and the bytes read again. */
export interface StringsFile {
  file: string;
  fd: number;
  open: number;
  strings: StringSizes;
  source: StringsSource;
  close(): void;
}

export function sectionFile(dir: string, name: string, section: string): StringsFile {
  const file = join(dir, name);
  writeFileSync(file, `{"strings":[${section}]}`);
  const fd = openSync(file, 'r');
  const size = statSync(file).size;
  const known = findTrailingStrings(fd, size, () => {});
  if (!known) throw new Error(`no strings section in ${file}`);
  return {
    file,
    fd,
    open: known.open,
    strings: known.strings,
    source: new StringsSource(fd, size, known.open),
    close: () => closeSync(fd),
  };
}

/** The values as V8 writes a strings section (JSON strings, `,\n` between them). */
export function stringsFile(dir: string, name: string, values: string[]): StringsFile {
  return sectionFile(dir, name, values.map((v) => JSON.stringify(v)).join(',\n'));
}
