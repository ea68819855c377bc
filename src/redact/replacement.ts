import { createHmac, randomBytes } from 'node:crypto';
import { ESCAPED, type StringTable } from '../snapshot/string-table.js';
import { CODE, DATA, NUMBER_LABELS, NUMBER_NAME } from './uses.js';
import { decodedLength, decodedLengths } from './utf16-length.js';

/** How a redacted string is written: a same-length placeholder, or a short keyed hash (equal stays equal). */
export type RedactionStyle = 'placeholder' | 'keyed-hash';

/** Whether string i of a table with these uses is kept: it names code, or it is a heap number's label. */
export function keeps(strings: StringTable, uses: Uint8Array, i: number): boolean {
  const use = uses[i];
  if (use & CODE) return true;
  if (use & NUMBER_NAME && !(use & DATA)) return NUMBER_LABELS.some((label) => strings.equals(i, label));
  return false;
}

/** Makes the replacement text of redacted strings; the hash key is random and lives only as long as this. */
export class Replacer {
  private readonly key = randomBytes(32);

  constructor(readonly style: RedactionStyle) {}

  /** The replacement of string i, as the bytes of a JSON string body (no escapes needed). */
  replacement(strings: StringTable, i: number): string {
    const raw = strings.rawBytes(i);
    if (raw.length === 0) return '';
    const flags = strings.flagsOf(i);
    if (this.style === 'keyed-hash') {
      // the decoded value is hashed, so a value's hash does not depend on how the file escaped it
      const value = flags & ESCAPED ? Buffer.from(strings.get(i), 'utf8') : raw;
      return `#${createHmac('sha256', this.key).update(value).digest('hex').slice(0, 12)}`;
    }
    return 'x'.repeat(this.placeholderLength(strings, i));
  }

  /** Placeholder lengths of the strings that are not plain ASCII, worked out ahead (decodedLengths), -1 for the others. */
  private lengths: Int32Array | null = null;

  /** decodedLengths() of the table, worked out now unless given already (useLengths). */
  lengthsOf(strings: StringTable): Int32Array {
    this.lengths ??= decodedLengths(strings);
    return this.lengths;
  }

  /** The lengths decodedLengths() gave for the table (worked out once the strings are read: parallel-pass.ts). */
  useLengths(lengths: Int32Array): void {
    this.lengths = lengths;
  }

  /** The length of string i's placeholder: the value's length in UTF-16 units, as JavaScript counts it. */
  placeholderLength(strings: StringTable, i: number): number {
    const known = this.lengths ? this.lengths[i] : -1;
    if (known >= 0) return known;
    // counted from the bytes (no decoding) when they are well-formed, as nearly all are
    return decodedLength(strings, i);
  }
}
