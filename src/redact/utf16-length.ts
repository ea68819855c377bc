import { ASCII, ESCAPED, type StringTable } from '../snapshot/string-table.js';

/**
 * The length in UTF-16 code units of the string a JSON string body's bytes decode to (what `.length` of
 * JSON.parse of it gives; without `escaped`, of the bytes decoded as UTF-8), counted from the bytes: -1 when the
 * bytes are anything but well-formed UTF-8 and valid escapes (the caller then decodes, as it always did, and gets
 * whatever decoding gives such bytes).
 */
export function utf16Length(bytes: Uint8Array, from: number, to: number, escaped: boolean): number {
  let units = 0;
  for (let p = from; p < to; ) {
    const b = bytes[p];
    const kind = KIND[b];
    if (kind === PLAIN) {
      p++;
      units++;
    } else if (kind === BACKSLASH) {
      if (!escaped || p + 2 > to) return -1;
      const e = bytes[p + 1];
      if (e === 0x75) {
        if (p + 6 > to || (HEX[bytes[p + 2]] & HEX[bytes[p + 3]] & HEX[bytes[p + 4]] & HEX[bytes[p + 5]]) === 0)
          return -1;
        p += 6;
      } else {
        if (SIMPLE_ESCAPE[e] === 0) return -1;
        p += 2;
      }
      units++;
    } else if (kind === BAD) {
      return -1;
    } else {
      // a lead byte of `kind` bytes and its continuation bytes, as the Unicode standard's table of well-formed
      // sequences has them (the second byte's range is narrower after E0, ED, F0 and F4)
      if (p + kind > to) return -1;
      const c = bytes[p + 1];
      const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
      const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
      if (c < lo || c > hi) return -1;
      if (kind >= 3 && (bytes[p + 2] & 0xc0) !== 0x80) return -1;
      if (kind === 4 && (bytes[p + 3] & 0xc0) !== 0x80) return -1;
      p += kind;
      units += kind === 4 ? 2 : 1;
    }
  }
  return units;
}

/** Per byte: PLAIN (a character of its own), BACKSLASH, BAD (never in a well-formed body), or a UTF-8 lead byte's sequence length. */
const PLAIN = 1;
const BACKSLASH = 5;
const BAD = 0;
const KIND = new Uint8Array(256);
for (let b = 0x20; b < 0x80; b++) KIND[b] = PLAIN;
KIND[0x22] = BAD;
KIND[0x5c] = BACKSLASH;
for (let b = 0xc2; b <= 0xdf; b++) KIND[b] = 2;
for (let b = 0xe0; b <= 0xef; b++) KIND[b] = 3;
for (let b = 0xf0; b <= 0xf4; b++) KIND[b] = 4;

/** The characters after a backslash that make a two-byte escape: " \ / b f n r t. */
const SIMPLE_ESCAPE = new Uint8Array(256);
for (const c of '"\\/bfnrt') SIMPLE_ESCAPE[c.charCodeAt(0)] = 1;

const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;

/**
 * Per string of the table: -1 for plain ASCII ones (their length is their byte count), else the length in UTF-16
 * units of the value (what `.length` of the decoded string gives: see decodedLength). One loop over the table,
 * run once the strings are read: names are matched by it (namedStrings) and placeholders are as long.
 */
export function decodedLengths(strings: StringTable): Int32Array {
  const lengths = new Int32Array(strings.length);
  for (let i = 0; i < strings.length; i++) {
    const flags = strings.flagsOf(i);
    lengths[i] = flags === ASCII ? -1 : notAsciiLength(strings, i, flags);
  }
  return lengths;
}

/** decodedLength of string i, which is not plain ASCII (`flags`: its flags), read where the table holds its bytes. */
export function notAsciiLength(strings: StringTable, i: number, flags: number): number {
  const from = strings.rawStart(i);
  return rawDecodedLength(strings.rawChunk(i), from, from + strings.byteLength(i), flags);
}

/** The length in UTF-16 units of string i's value, counted from its bytes when they are well-formed, else decoded. */
export function decodedLength(strings: StringTable, i: number): number {
  const flags = strings.flagsOf(i);
  if (flags & ASCII && !(flags & ESCAPED)) return strings.byteLength(i);
  return notAsciiLength(strings, i, flags);
}

/**
 * The length in UTF-16 units of the value of a string whose bytes as the file has them are bytes[from, to) and
 * whose flags (ESCAPED, ASCII) are `flags`, not plain ASCII: counted from the bytes when they are well-formed,
 * else decoded as the string table decodes it.
 */
export function rawDecodedLength(bytes: Uint8Array, from: number, to: number, flags: number): number {
  const escaped = (flags & ESCAPED) !== 0;
  // V8 writes every character outside ASCII as an escape: the bytes of nearly all such strings are ASCII
  const counted = escaped ? asciiEscapedLength(bytes, from, to) : -1;
  if (counted >= 0) return counted;
  const units = utf16Length(bytes, from, to, escaped);
  if (units >= 0) return units;
  return decodeRaw(bytes, from, to, flags).length;
}

/** The value of a string whose bytes as the file has them are bytes[from, to), as StringTable.get decodes it. */
export function decodeRaw(bytes: Uint8Array, from: number, to: number, flags: number): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from);
  if (flags & ESCAPED) return JSON.parse(`"${text.toString('utf8')}"`) as string;
  return text.toString(flags & ASCII ? 'latin1' : 'utf8');
}

/**
 * utf16Length of an escaped string body, bytes[from, to), whose bytes are all ASCII, in one tight loop: -1 (the caller counts it the
 * general way) at a byte past ASCII or anything utf16Length refuses.
 */
export function asciiEscapedLength(bytes: Uint8Array, from: number, to: number): number {
  let extra = 0;
  for (let p = from; p < to; p++) {
    const b = bytes[p];
    if (b < 0x20 || b >= 0x80 || b === 0x22) return -1;
    if (b !== 0x5c) continue;
    const e = bytes[p + 1];
    if (e === 0x75) {
      if (p + 6 > to || (HEX[bytes[p + 2]] & HEX[bytes[p + 3]] & HEX[bytes[p + 4]] & HEX[bytes[p + 5]]) === 0)
        return -1;
      extra += 5;
      p += 5;
    } else {
      if (p + 2 > to || SIMPLE_ESCAPE[e] === 0) return -1;
      extra += 1;
      p += 1;
    }
  }
  return to - from - extra;
}
