import { AFTER_NUMBER, EXPECT, IN_NUMBER } from '../number-scan.js';
import {
  block,
  br,
  brIf,
  type Code,
  declareLocals,
  encodeModule,
  F64,
  f64,
  I32,
  I64,
  i8x16,
  i32,
  i64,
  local,
  loop,
  select,
  seqOf,
  v128,
  when,
} from './encoder.js';

/**
 * The forward number scanner of number-scan.ts (same modes, same errors, same results) as a WebAssembly function
 * with a fast path: at the start of a number it classifies the next 64 bytes at once (SIMD compares into bit
 * masks of digits, commas and newlines), checks they are numbers separated by `,` or V8's `\n,`, and converts every
 * number in them without a branch per digit (eight digits at a time, SWAR). Anything else (whitespace, a number
 * over 16 digits or 2^32-1, the array's end, a bad byte) goes one token at a time through the same state machine
 * as the JS scanner. About 2.5× the JS scanner's speed on V8's snapshots.
 *
 * forward(i, to, out, room, bracket, mode, saw, value) scans memory[i, to) (memory[to] is overwritten with a
 * sentinel; the caller restores it) and writes at most `room` numbers as u32 from `out`. Returns a STATUS and
 * leaves the scan state at STATE_*.
 */

export const STATUS = {
  done: 0,
  closed: 1,
  twoNumbers: 2,
  missingBeforeComma: 3,
  store: 4,
  missingBeforeBracket: 5,
  unexpectedByte: 6,
} as const;

/** Where forward() leaves the scan state: i32 mode, saw, stop position, numbers written; f64 value. */
export const STATE_MODE = 0;
export const STATE_SAW = 4;
export const STATE_POS = 8;
export const STATE_WRITTEN = 12;
export const STATE_VALUE = 16;
/** Bytes before the input that the fast path may read (and ignore): memory below this holds the state. */
export const INPUT_FROM = 32;
/** The fast path reads a 64-byte window and the bytes before a number: it runs while i < to - FAST_MARGIN. */
const FAST_MARGIN = 80;

const MAX_U32 = 0xffffffffn;

// parameters, then locals
const P = { i: 0, to: 1, out: 2, room: 3, bracket: 4, mode: 5, saw: 6, value: 7 };
const LOCALS = declareLocals(8, {
  v: I64,
  o: I32,
  end: I32,
  fastTo: I32,
  status: I32,
  c: I32,
  d: I32,
  digits: I64,
  commas: I64,
  newlines: I64,
  starts: I64,
  ends: I64,
  lastComma: I32,
  valid: I64,
  o2: I32,
  s: I32,
  e: I32,
  n: I32,
  x: I64,
  y: I64,
  big: I64,
  t: I64,
});
const L = LOCALS.index;

const get = local.get;
const set = local.set;
const c32 = i32.const;
const c64 = i64.const;
const not64 = (a: Code): Code => i64.xor(a, c64(-1n));
const inc = (l: number, by: Code): Code => set(l, i32.add(get(l), by));

/** A 64-bit mask of the 64 bytes at i: bit k set when byte k passes `test` (a 16-lane compare). */
function windowMask(test: (bytes: Code) => Code): Code {
  const lanes = [0, 16, 32, 48].map((off) =>
    i64.shl(i64.extend_i32_u(i8x16.bitmask(test(v128.load(get(P.i), off)))), c64(BigInt(off))),
  );
  return i64.or(i64.or(lanes[0], lanes[1]), i64.or(lanes[2], lanes[3]));
}
const digitMask = windowMask((b) => i8x16.lt_u(i8x16.sub(b, v128.splat8(48)), v128.splat8(10)));
const byteMask = (byte: number) => windowMask((b) => i8x16.eq(b, v128.splat8(byte)));

/** Eight ASCII digits d0…d7 (d0 at the lowest address, leading ones may be zero bytes) as their value. */
function eightDigits(x: Code): Code {
  const step1 = i64.shr_u(i64.mul(x, c64(2561n)), c64(8n)); // 10 * 2^8 + 1: pairs
  const step2 = i64.shr_u(i64.mul(i64.and(step1, c64(0x00ff00ff00ff00ffn)), c64(6553601n)), c64(16n)); // 100 * 2^16 + 1
  return i64.shr_u(i64.mul(i64.and(step2, c64(0x0000ffff0000ffffn)), c64(42949672960001n)), c64(32n)); // 10^4 * 2^32 + 1
}

/** The 8 bytes ending at byte e of the window, as digit values, with all but the top `keep` bytes zeroed. */
function digitsEndingAt(e: Code, back: number, keepMask: Code): Code {
  return i64.and(i64.xor(i64.load(i32.add(get(P.i), i32.sub(e, c32(back)))), c64(0x3030303030303030n)), keepMask);
}

/** Stores v (i64, known <= 2^32-1) and moves o on. */
const emit = (o: number, v: Code): Code => seqOf(i32.store(get(o), i32.wrap_i64(v)), inc(o, c32(4)));
const nextBit = (l: number): Code => set(l, i64.and(get(l), i64.sub(get(l), c64(1n))));

/** Numbers of at most 8 digits: one SWAR conversion each. */
const shortNumbers = loop(
  'short',
  set(L.s, i32.wrap_i64(i64.ctz(get(L.starts)))),
  set(L.e, i32.wrap_i64(i64.ctz(get(L.ends)))),
  set(
    L.x,
    digitsEndingAt(
      get(L.e),
      7,
      i64.shl(c64(-1n), i64.extend_i32_u(i32.shl(i32.sub(c32(7), i32.sub(get(L.e), get(L.s))), c32(3)))),
    ),
  ),
  emit(L.o2, eightDigits(get(L.x))),
  nextBit(L.starts),
  nextBit(L.ends),
  brIf('short', i64.ne(get(L.starts), c64(0n))),
);

/** Numbers of up to 16 digits: two conversions; `big` collects any that do not fit in 32 bits. */
const longNumbers = loop(
  'long',
  set(L.s, i32.wrap_i64(i64.ctz(get(L.starts)))),
  set(L.e, i32.wrap_i64(i64.ctz(get(L.ends)))),
  set(L.n, i32.add(i32.sub(get(L.e), get(L.s)), c32(1))),
  set(
    L.x,
    digitsEndingAt(
      get(L.e),
      7,
      select(
        c64(-1n),
        i64.shl(c64(-1n), i64.extend_i32_u(i32.shl(i32.sub(c32(8), get(L.n)), c32(3)))),
        i32.ge_u(get(L.n), c32(8)),
      ),
    ),
  ),
  set(
    L.y,
    digitsEndingAt(
      get(L.e),
      15,
      select(
        i64.shl(c64(-1n), i64.extend_i32_u(i32.shl(i32.sub(c32(16), get(L.n)), c32(3)))),
        c64(0n),
        i32.gt_u(get(L.n), c32(8)),
      ),
    ),
  ),
  set(L.x, i64.add(i64.mul(eightDigits(get(L.y)), c64(100000000n)), eightDigits(get(L.x)))),
  set(L.big, i64.or(get(L.big), i64.or(i64.shr_u(get(L.x), c64(32n)), i64.extend_i32_u(i32.gt_u(get(L.n), c32(16)))))),
  i32.store(get(L.o2), i32.wrap_i64(get(L.x))),
  inc(L.o2, c32(4)),
  nextBit(L.starts),
  nextBit(L.ends),
  brIf('long', i64.ne(get(L.starts), c64(0n))),
);

/**
 * The window's shape is right when, up to its last comma, every byte is a digit, a comma or a newline, each
 * newline has a comma after it, and each comma but the last a digit. As the window starts with a digit, it is
 * then numbers each followed by `,` or `\n,`.
 */
function windowFaults(): Code {
  const D = get(L.digits);
  const C = get(L.commas);
  const N = get(L.newlines);
  const one = c64(1n);
  const notLastComma = i64.shr_u(get(L.valid), one);
  return i64.and(
    get(L.valid),
    i64.or(
      i64.or(not64(i64.or(i64.or(D, C), N)), i64.and(N, not64(i64.shr_u(C, one)))),
      i64.and(i64.and(C, notLastComma), not64(i64.shr_u(D, one))),
    ),
  );
}

/** The fast path: parses one window and continues 'main', or falls through to the slow path. */
const fastPath = when(
  i32.and(
    i32.and(i32.eqz(get(P.mode)), i32.lt_s(get(P.i), get(L.fastTo))),
    i32.lt_u(i32.sub(i32.load8_u(get(P.i)), c32(48)), c32(10)),
  ),
  [
    set(L.digits, digitMask),
    set(L.commas, byteMask(44)),
    set(L.newlines, byteMask(10)),
    when(i64.ne(get(L.commas), c64(0n)), [
      set(L.lastComma, i32.sub(c32(63), i32.wrap_i64(i64.clz(get(L.commas))))),
      set(L.valid, i64.shr_u(c64(-1n), i64.extend_i32_u(i32.sub(c32(63), get(L.lastComma))))),
      set(L.starts, i64.and(get(L.valid), i64.and(get(L.digits), not64(i64.shl(get(L.digits), c64(1n)))))),
      set(L.ends, i64.and(get(L.valid), i64.and(get(L.digits), not64(i64.shr_u(get(L.digits), c64(1n)))))),
      when(
        i32.and(
          i64.eqz(windowFaults()),
          i32.le_u(i32.add(get(L.o), i32.shl(i32.wrap_i64(i64.popcnt(get(L.starts))), c32(2))), get(L.end)),
        ),
        [
          // any run of 9 or more digits? (bit k set when bits k…k+8 of digits are)
          set(L.t, i64.and(get(L.digits), i64.shr_u(get(L.digits), c64(1n)))),
          set(L.t, i64.and(get(L.t), i64.shr_u(get(L.t), c64(2n)))),
          set(L.t, i64.and(get(L.t), i64.shr_u(get(L.t), c64(4n)))),
          set(L.t, i64.and(i64.and(get(L.t), i64.shr_u(get(L.digits), c64(8n))), get(L.valid))),
          set(L.o2, get(L.o)),
          set(L.big, c64(0n)),
          when(i64.eqz(get(L.t)), [shortNumbers], [longNumbers]),
          // a number over 2^32-1 (or 16 digits): leave the window to the slow path, which reports it
          when(i64.eqz(get(L.big)), [
            set(L.o, get(L.o2)),
            inc(P.i, i32.add(get(L.lastComma), c32(1))),
            set(P.saw, c32(1)),
            br('main'),
          ]),
        ],
      ),
    ]),
  ],
);

const fail = (status: number): Code => seqOf(set(L.status, c32(status)), br('exit'));
const storeOrFail = (): Code =>
  seqOf(
    when(i32.or(i32.ge_u(get(L.o), get(L.end)), i64.gt_u(get(L.v), c64(MAX_U32))), [fail(STATUS.store)]),
    emit(L.o, get(L.v)),
    set(L.v, c64(0n)),
    set(P.mode, c32(EXPECT)),
  );
const isByte = (b: number): Code => i32.eq(get(L.c), c32(b));

/** One token by the JS scanner's rules: a number, a comma, whitespace, `]`, or an error. */
const slowPath = seqOf(
  set(L.c, i32.load8_u(get(P.i))),
  set(L.d, i32.sub(get(L.c), c32(48))),
  when(i32.lt_u(get(L.d), c32(10)), [
    when(i32.eq(get(P.mode), c32(AFTER_NUMBER)), [fail(STATUS.twoNumbers)]),
    loop(
      'digit',
      set(L.v, i64.add(i64.mul(get(L.v), c64(10n)), i64.extend_i32_u(get(L.d)))),
      // saturate: the value only has to be known to be too large
      when(i64.gt_u(get(L.v), c64(MAX_U32)), [set(L.v, c64(MAX_U32 + 1n))]),
      inc(P.i, c32(1)),
      set(L.d, i32.sub(i32.load8_u(get(P.i)), c32(48))),
      brIf('digit', i32.lt_u(get(L.d), c32(10))),
    ),
    set(P.saw, c32(1)),
    set(P.mode, c32(IN_NUMBER)),
    br('main'),
  ]),
  when(isByte(44), [
    when(i32.eqz(get(P.mode)), [fail(STATUS.missingBeforeComma)]),
    storeOrFail(),
    set(P.saw, c32(1)),
    inc(P.i, c32(1)),
    br('main'),
  ]),
  when(i32.or(i32.or(isByte(10), isByte(32)), i32.or(isByte(13), isByte(9))), [
    when(i32.eq(get(P.mode), c32(IN_NUMBER)), [set(P.mode, c32(AFTER_NUMBER))]),
    inc(P.i, c32(1)),
    br('main'),
  ]),
  when(i32.and(isByte(93), get(P.bracket)), [
    when(get(P.mode), [storeOrFail()], [when(get(P.saw), [fail(STATUS.missingBeforeBracket)])]),
    fail(STATUS.closed),
  ]),
  fail(STATUS.unexpectedByte),
);

const forwardBody = seqOf(
  set(L.v, i64.trunc_f64_u(get(P.value))),
  set(L.o, get(P.out)),
  set(L.end, i32.add(get(P.out), i32.shl(get(P.room), c32(2)))),
  set(L.fastTo, i32.sub(get(P.to), c32(FAST_MARGIN))),
  set(L.status, c32(STATUS.done)),
  i32.store8(get(P.to), c32(0)), // a non-digit sentinel ends the digit loop at the range's end
  block('exit', loop('main', brIf('exit', i32.ge_u(get(P.i), get(P.to))), fastPath, slowPath)),
  i32.store(c32(0), get(P.mode), STATE_MODE),
  i32.store(c32(0), get(P.saw), STATE_SAW),
  i32.store(c32(0), get(P.i), STATE_POS),
  i32.store(c32(0), i32.shr_u(i32.sub(get(L.o), get(P.out)), c32(2)), STATE_WRITTEN),
  f64.store(c32(0), f64.convert_i64_u(get(L.v)), STATE_VALUE),
  get(L.status),
);

let compiled: WebAssembly.Module | undefined;

/** The scanner's module, compiled once per thread. */
export function scanModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(
    encodeModule(1, [
      {
        name: 'forward',
        params: [I32, I32, I32, I32, I32, I32, I32, F64],
        results: [I32],
        locals: LOCALS.types,
        body: forwardBody,
      },
    ]),
  );
  return compiled;
}
