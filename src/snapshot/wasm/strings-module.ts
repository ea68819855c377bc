import { ASCII, ESCAPED } from '../string-table.js';
import {
  block,
  br,
  brIf,
  type Code,
  declareLocals,
  encodeModule,
  I32,
  i8x16,
  i32,
  local,
  loop,
  select,
  seqOf,
  V128,
  v128,
  when,
} from './encoder.js';

/**
 * The strings section as a WebAssembly function: strings followed by V8's `,"` or `,\n"`, their quotes and
 * backslashes found 16 bytes at a time (SIMD compares) and their bytes copied out as they are scanned, escapes
 * checked, with a flag per string (escaped, or ASCII only). It stops, leaving the rest to the JS reader
 * (strings-section.ts), at anything else: a bad escape, a string the window cuts, another separator, the array's
 * end, a full output.
 *
 * takeStrings(i, to, out, outLimit, ends, flags, maxCount) reads memory[i, to) from a string's opening quote,
 * copies the strings' bytes to memory[out…] (at most outLimit bytes; it may write up to 16 bytes past them),
 * and for string k writes its end (relative to out) at ends[k] (u32) and its flags at flags[k] (u8). Returns a
 * STRINGS_STOP; STRINGS_STATE_* hold where it stopped, how many strings and bytes it took.
 */

export const STRINGS_STOP = {
  /** At a string it leaves to JS (escaped, cut by the window, too big for the output): pos is its `"`. */
  string: 0,
  /** Not at a string's opening quote: pos is that byte. */
  notString: 1,
  /** After a string, at a separator it leaves to JS: pos is just after the closing quote. */
  separator: 2,
  /** maxCount strings taken: pos is the next string's `"`. */
  full: 3,
} as const;

export const STRINGS_STATE_POS = 0;
export const STRINGS_STATE_COUNT = 4;
export const STRINGS_STATE_BYTES = 8;
/** Memory below this holds the state. */
export const STRINGS_INPUT_FROM = 16;

const P = { i: 0, to: 1, out: 2, outLimit: 3, ends: 4, flags: 5, maxCount: 6 };
const LOCALS = declareLocals(7, {
  s: I32,
  o: I32,
  kept: I32,
  count: I32,
  special: I32,
  high: I32,
  nonAscii: I32,
  k: I32,
  stop: I32,
  ctrl: I32,
  control: I32,
  escaped: I32,
  e: I32,
  before: I32,
  v: V128,
});
const L = LOCALS.index;

const get = local.get;
const set = local.set;
const c32 = i32.const;
const stopWith = (why: number): Code => seqOf(set(L.stop, c32(why)), br('exit'));

const inRange = (value: Code, from: number, count: number): Code => i32.lt_u(i32.sub(value, c32(from)), c32(count));
const isHex = (b: Code): Code => i32.or(inRange(b, 48, 10), inRange(i32.or(b, c32(32)), 97, 6));
// the escapes JSON has besides \u: " \ / b f n r t
const SIMPLE_ESCAPES = [34, 92, 47, 98, 102, 110, 114, 116];
const isSimpleEscape = (e: Code): Code =>
  SIMPLE_ESCAPES.slice(1).reduce<Code>((acc, x) => i32.or(acc, i32.eq(e, c32(x))), i32.eq(e, c32(SIMPLE_ESCAPES[0])));
/** Copies one escape at s (its backslash) and steps over it; an escape JSON does not have stops at the string. */
const stepOverEscape = seqOf(
  set(L.escaped, c32(1)),
  v128.store(get(L.o), v128.load(get(L.s))), // the 16-byte block copy may have cut the escape
  set(L.e, i32.load8_u(get(L.s), 1)),
  when(
    isSimpleEscape(get(L.e)),
    [set(L.k, c32(2))],
    [
      when(
        i32.and(
          i32.eq(get(L.e), c32(117)),
          i32.and(
            i32.and(isHex(i32.load8_u(get(L.s), 2)), isHex(i32.load8_u(get(L.s), 3))),
            i32.and(isHex(i32.load8_u(get(L.s), 4)), isHex(i32.load8_u(get(L.s), 5))),
          ),
        ),
        [set(L.k, c32(6))],
        [stopWith(STRINGS_STOP.string)],
      ),
    ],
  ),
  set(L.s, i32.add(get(L.s), get(L.k))),
  set(L.o, i32.add(get(L.o), get(L.k))),
);

/**
 * One string from its opening quote at i: copied (as the file has it, escapes and all) and counted, or a stop.
 * Like the JS reader, it refuses a raw control character in an escaped string only.
 */
const oneString = seqOf(
  when(i32.ne(i32.load8_u(get(P.i)), c32(34)), [stopWith(STRINGS_STOP.notString)]),
  set(L.s, i32.add(get(P.i), c32(1))),
  set(L.o, get(L.kept)),
  set(L.nonAscii, c32(0)),
  set(L.control, c32(0)),
  set(L.escaped, c32(0)),
  block(
    'found',
    loop(
      'scan',
      when(i32.gt_u(i32.add(get(L.s), c32(16)), get(P.to)), [stopWith(STRINGS_STOP.string)]),
      set(L.v, v128.load(get(L.s))),
      set(
        L.special,
        i32.or(i8x16.bitmask(i8x16.eq(get(L.v), v128.splat8(34))), i8x16.bitmask(i8x16.eq(get(L.v), v128.splat8(92)))),
      ),
      set(L.high, i8x16.bitmask(get(L.v))),
      set(L.ctrl, i8x16.bitmask(i8x16.lt_u(get(L.v), v128.splat8(32)))),
      v128.store(get(L.o), get(L.v)),
      when(i32.eqz(get(L.special)), [
        set(L.nonAscii, i32.or(get(L.nonAscii), get(L.high))),
        set(L.control, i32.or(get(L.control), get(L.ctrl))),
        set(L.s, i32.add(get(L.s), c32(16))),
        set(L.o, i32.add(get(L.o), c32(16))),
        brIf('found', i32.gt_u(i32.sub(get(L.o), get(P.out)), get(P.outLimit))),
        br('scan'),
      ]),
      set(L.k, i32.ctz(get(L.special))),
      // only the bytes before the quote or backslash count for the flags
      set(L.before, i32.sub(i32.shl(c32(1), get(L.k)), c32(1))),
      set(L.nonAscii, i32.or(get(L.nonAscii), i32.and(get(L.high), get(L.before)))),
      set(L.control, i32.or(get(L.control), i32.and(get(L.ctrl), get(L.before)))),
      set(L.s, i32.add(get(L.s), get(L.k))),
      set(L.o, i32.add(get(L.o), get(L.k))),
      brIf('found', i32.eq(i32.load8_u(get(L.s)), c32(34))),
      stepOverEscape,
      brIf('found', i32.gt_u(i32.sub(get(L.o), get(P.out)), get(P.outLimit))),
      br('scan'),
    ),
  ),
  when(i32.gt_u(i32.sub(get(L.o), get(P.out)), get(P.outLimit)), [stopWith(STRINGS_STOP.string)]),
  when(i32.and(get(L.escaped), i32.ne(get(L.control), c32(0))), [stopWith(STRINGS_STOP.string)]),
  // the string is in: its end and flags
  i32.store(i32.add(get(P.ends), i32.shl(get(L.count), c32(2))), i32.sub(get(L.o), get(P.out))),
  i32.store8(
    i32.add(get(P.flags), get(L.count)),
    select(c32(ESCAPED), i32.mul(i32.eqz(get(L.nonAscii)), c32(ASCII)), get(L.escaped)),
  ),
  set(L.count, i32.add(get(L.count), c32(1))),
  set(L.kept, get(L.o)),
  // V8's separators: `,"` and `,\n"`
  set(P.i, i32.add(get(L.s), c32(1))),
  when(i32.gt_u(i32.add(get(P.i), c32(3)), get(P.to)), [stopWith(STRINGS_STOP.separator)]),
  when(i32.ne(i32.load8_u(get(P.i)), c32(44)), [stopWith(STRINGS_STOP.separator)]),
  when(i32.eq(i32.load8_u(get(P.i), 1), c32(34)), [set(P.i, i32.add(get(P.i), c32(1))), br('main')]),
  when(i32.and(i32.eq(i32.load8_u(get(P.i), 1), c32(10)), i32.eq(i32.load8_u(get(P.i), 2), c32(34))), [
    set(P.i, i32.add(get(P.i), c32(2))),
    br('main'),
  ]),
  stopWith(STRINGS_STOP.separator),
);

const body = seqOf(
  set(L.kept, get(P.out)),
  set(L.count, c32(0)),
  block(
    'exit',
    loop(
      'main',
      when(i32.ge_u(get(L.count), get(P.maxCount)), [stopWith(STRINGS_STOP.full)]),
      when(i32.gt_u(i32.add(get(P.i), c32(1)), get(P.to)), [stopWith(STRINGS_STOP.string)]),
      oneString,
    ),
  ),
  i32.store(c32(0), get(P.i), STRINGS_STATE_POS),
  i32.store(c32(0), get(L.count), STRINGS_STATE_COUNT),
  i32.store(c32(0), i32.sub(get(L.kept), get(P.out)), STRINGS_STATE_BYTES),
  get(L.stop),
);

let compiled: WebAssembly.Module | undefined;

export function stringsModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(
    encodeModule(1, [
      {
        name: 'takeStrings',
        params: [I32, I32, I32, I32, I32, I32, I32],
        results: [I32],
        locals: LOCALS.types,
        body,
      },
    ]),
  );
  return compiled;
}
