import { createHmac, randomBytes } from 'node:crypto';
import { ASCII, ESCAPED, type StringTable } from '../snapshot/string-table.js';
import { CODE, DATA, NUMBER_LABELS, NUMBER_NAME } from './uses.js';
import { decodedLength, decodeRaw } from './utf16-length.js';

/** How a redacted string is written: a same-length placeholder, or a short keyed hash (equal stays equal). */
export type RedactionStyle = 'placeholder' | 'keyed-hash';

/** Whether string i of a table with these uses is kept: it names code, or it is a heap number's label. */
export function keeps(strings: StringTable, uses: Uint8Array, i: number): boolean {
  const use = uses[i];
  if (use & CODE) return true;
  if (use & NUMBER_NAME && !(use & DATA)) return NUMBER_LABELS.some((label) => strings.equals(i, label));
  return false;
}

/** Whether the string whose bytes as the file has them are bytes[from, to) (with `flags`) is a heap number's label. */
export function isNumberLabel(bytes: Uint8Array, from: number, to: number, flags: number): boolean {
  // the labels are plain ASCII: a string of other bytes is one only when it is escaped
  if (flags & ESCAPED) return NUMBER_LABELS.includes(decodeRaw(bytes, from, to, flags));
  if (!(flags & ASCII)) return false;
  return NUMBER_LABELS.some((label) => label.length === to - from && asciiEqual(bytes, from, label));
}

function asciiEqual(bytes: Uint8Array, from: number, str: string): boolean {
  for (let j = 0; j < str.length; j++) if (bytes[from + j] !== str.charCodeAt(j)) return false;
  return true;
}

/** Makes the replacement text of redacted strings; the hash key is random and lives only as long as this. */
export class Replacer {
  private readonly key = randomBytes(32);

  constructor(readonly style: RedactionStyle) {}

  /** The replacement of string i, as the bytes of a JSON string body (no escapes needed). */
  replacement(strings: StringTable, i: number): string {
    if (this.style === 'keyed-hash') return this.hashOf(strings.rawBytes(i), strings.flagsOf(i));
    return 'x'.repeat(this.placeholderLength(strings, i));
  }

  /** The keyed hash that replaces a string whose bytes as the file has them are `raw` (with `flags`). */
  hashOf(raw: Uint8Array, flags: number): string {
    if (raw.length === 0) return '';
    // the decoded value is hashed, so a value's hash does not depend on how the file escaped it
    const value = flags & ESCAPED ? Buffer.from(decodeRaw(raw, 0, raw.length, flags), 'utf8') : raw;
    return `#${createHmac('sha256', this.key).update(value).digest('hex').slice(0, 12)}`;
  }

  /** The length of string i's placeholder: the value's length in UTF-16 units, as JavaScript counts it. */
  placeholderLength(strings: StringTable, i: number): number {
    // counted from the bytes (no decoding) when they are well-formed, as nearly all are
    return decodedLength(strings, i);
  }
}
