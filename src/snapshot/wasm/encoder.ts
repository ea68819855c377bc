/**
 * A small WebAssembly binary encoder: enough of the format (one memory, functions, exports) and of the
 * instruction set for the reader's number scanner, so the scanner is written here in TypeScript and assembled at
 * run time (a few KB, well under a millisecond), with no build step and no binary in the repository.
 *
 * Code is written as nested expressions: every helper returns the instructions that leave its value on the stack
 * after those of its operands. Branches name their target block, loop or if, and get their depth when encoded.
 */

/** Value types. */
export const I32 = 0x7f;
export const I64 = 0x7e;
export const F64 = 0x7c;
export const V128 = 0x7b;

interface Structured {
  kind: 'block' | 'loop' | 'if';
  label: string;
  body: Code;
  orElse?: Code;
}
interface Branch {
  kind: 'br' | 'br_if';
  label: string;
}
type Item = number | Structured | Branch;
/** Instructions: bytes, plus structured control and branches resolved when encoded. */
export type Code = Item[];

export function unsignedLeb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function signedLeb(n: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const b = Number(n & 0x7fn);
    n >>= 7n;
    const done = (n === 0n && (b & 0x40) === 0) || (n === -1n && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

const seq = (...parts: Code[]): Code => parts.flat(1);
const op =
  (...bytes: number[]) =>
  (...operands: Code[]): Code =>
    seq(...operands, bytes);
const simd = (opcode: number) => op(0xfd, ...unsignedLeb(opcode));
/** A memory access: alignment exponent and constant offset follow the opcode. */
const access =
  (bytes: number[], align: number) =>
  (addr: Code, offset = 0, ...value: Code[]): Code =>
    seq(addr, ...value, bytes, [align], unsignedLeb(offset));

/** Locals and globals are numbered; these read and write them. */
export const local = {
  get: (i: number): Code => [0x20, ...unsignedLeb(i)],
  set: (i: number, v: Code): Code => seq(v, [0x21, ...unsignedLeb(i)]),
};

export const i32 = {
  const: (n: number): Code => [0x41, ...signedLeb(BigInt(n | 0))],
  eqz: op(0x45),
  eq: op(0x46),
  ne: op(0x47),
  lt_s: op(0x48),
  lt_u: op(0x49),
  gt_u: op(0x4b),
  le_u: op(0x4d),
  ge_u: op(0x4f),
  ctz: op(0x68),
  add: op(0x6a),
  sub: op(0x6b),
  mul: op(0x6c),
  and: op(0x71),
  or: op(0x72),
  shl: op(0x74),
  shr_u: op(0x76),
  wrap_i64: op(0xa7),
  trunc_f64_u: op(0xab),
  load: access([0x28], 2),
  load8_u: access([0x2d], 0),
  store: (addr: Code, value: Code, offset = 0): Code => access([0x36], 2)(addr, offset, value),
  store8: (addr: Code, value: Code, offset = 0): Code => access([0x3a], 0)(addr, offset, value),
};

export const i64 = {
  const: (n: bigint): Code => [0x42, ...signedLeb(BigInt.asIntN(64, n))],
  eqz: op(0x50),
  ne: op(0x52),
  gt_u: op(0x56),
  clz: op(0x79),
  ctz: op(0x7a),
  popcnt: op(0x7b),
  add: op(0x7c),
  sub: op(0x7d),
  mul: op(0x7e),
  and: op(0x83),
  or: op(0x84),
  xor: op(0x85),
  shl: op(0x86),
  shr_u: op(0x88),
  extend_i32_u: op(0xad),
  trunc_f64_u: op(0xb1),
  load: access([0x29], 3),
};

export const f64 = {
  convert_i64_u: op(0xba),
  store: (addr: Code, value: Code, offset = 0): Code => access([0x39], 3)(addr, offset, value),
};

export const v128 = {
  load: access([0xfd, 0x00], 4),
  store: (addr: Code, value: Code, offset = 0): Code => access([0xfd, 0x0b], 4)(addr, offset, value),
  /** Sixteen copies of one byte. */
  splat8: (byte: number): Code => [0xfd, 0x0c, ...new Array<number>(16).fill(byte & 0xff)],
};

export const i8x16 = {
  eq: simd(0x23),
  lt_u: simd(0x26),
  sub: simd(0x71),
  bitmask: simd(0x64),
};

/** select(a, b, cond): a when cond is non-zero, else b. */
export const select = op(0x1b);

export const block = (label: string, ...body: Code[]): Code => [{ kind: 'block', label, body: seq(...body) }];
export const loop = (label: string, ...body: Code[]): Code => [{ kind: 'loop', label, body: seq(...body) }];
export const when = (cond: Code, then: Code[], orElse?: Code[]): Code =>
  seq(cond, [{ kind: 'if', label: '', body: seq(...then), orElse: orElse && seq(...orElse) }]);
export const br = (label: string): Code => [{ kind: 'br', label }];
export const brIf = (label: string, cond: Code): Code => seq(cond, [{ kind: 'br_if', label }]);
export const seqOf = seq;

function encodeCode(code: Code, labels: string[], out: number[]): void {
  for (const item of code) {
    if (typeof item === 'number') {
      out.push(item);
    } else if (!('body' in item)) {
      const at = labels.lastIndexOf(item.label);
      if (at < 0) throw new Error(`wasm encoder: no enclosing '${item.label}'`);
      out.push(item.kind === 'br' ? 0x0c : 0x0d, ...unsignedLeb(labels.length - 1 - at));
    } else {
      out.push(item.kind === 'block' ? 0x02 : item.kind === 'loop' ? 0x03 : 0x04, 0x40);
      labels.push(item.label);
      encodeCode(item.body, labels, out);
      if (item.orElse) {
        out.push(0x05);
        encodeCode(item.orElse, labels, out);
      }
      labels.pop();
      out.push(0x0b);
    }
  }
}

/**
 * Numbers a function's locals from `first` (its parameter count) in the order they are declared, so each has
 * one name and one type: `index.x` is the local's number, `types` what FunctionSpec.locals wants.
 */
export function declareLocals<T extends Record<string, number>>(
  first: number,
  locals: T,
): { index: { [K in keyof T]: number }; types: number[] } {
  const names = Object.keys(locals) as (keyof T)[];
  const index = Object.fromEntries(names.map((name, k) => [name, first + k])) as { [K in keyof T]: number };
  return { index, types: names.map((name) => locals[name]) };
}

export interface FunctionSpec {
  name: string;
  params: number[];
  results: number[];
  /** Types of the locals after the parameters (numbered from params.length on). */
  locals: number[];
  body: Code;
}

const utf8 = (s: string): number[] => {
  const bytes = [...new TextEncoder().encode(s)];
  return [...unsignedLeb(bytes.length), ...bytes];
};
const vector = (items: number[][]): number[] => [...unsignedLeb(items.length), ...items.flat()];
const section = (id: number, content: number[]): number[] => [id, ...unsignedLeb(content.length), ...content];

/** A module with one memory (exported as "mem", `pages` of 64 KiB to start with) and the given functions, all exported. */
export function encodeModule(pages: number, functions: FunctionSpec[]): Uint8Array {
  const types = functions.map((f) => [0x60, ...vector(f.params.map((t) => [t])), ...vector(f.results.map((t) => [t]))]);
  const code = functions.map((f) => {
    const locals = f.locals.map((t) => [1, t]);
    const body: number[] = [];
    encodeCode(f.body, [], body);
    const content = [...vector(locals), ...body, 0x0b];
    return [...unsignedLeb(content.length), ...content];
  });
  const exports = [[...utf8('mem'), 0x02, 0], ...functions.map((f, i) => [...utf8(f.name), 0x00, ...unsignedLeb(i)])];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(3, vector(functions.map((_, i) => unsignedLeb(i)))),
    ...section(5, vector([[0x00, ...unsignedLeb(pages)]])),
    ...section(7, vector(exports)),
    ...section(10, vector(code)),
  ]);
}
