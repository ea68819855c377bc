import { ASCII, type StringTable } from '../snapshot/string-table.js';
import { nameBits } from './record-uses.js';
import { notAsciiLength } from './utf16-length.js';

/**
 * What the redactor needs of each string besides its uses, in one loop over the table once it is read (a loop
 * over millions of strings run once is slow until it is optimized: one such loop costs less than two):
 * decodedLengths() (the placeholders' lengths) and namedStrings() (found from those lengths: a name the rules
 * look for is 10 or 19 characters long).
 */
export function stringFacts(strings: StringTable): { lengths: Int32Array; named: Uint8Array } {
  const lengths = new Int32Array(strings.length);
  const named = new Uint8Array(strings.length);
  for (let i = 0; i < strings.length; i++) {
    const flags = strings.flagsOf(i);
    const bytes = strings.byteLength(i);
    if (flags === ASCII) {
      lengths[i] = -1;
      if (bytes === 10 || bytes === 19) named[i] = nameBits(strings, i, bytes);
      continue;
    }
    const length = notAsciiLength(strings, i, flags);
    lengths[i] = length;
    if (length === 10 || length === 19) named[i] = nameBits(strings, i, bytes);
  }
  return { lengths, named };
}
