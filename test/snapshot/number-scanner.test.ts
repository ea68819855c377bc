// The WebAssembly number scanner against the JS one, on seeded random number arrays cut into random ranges:
// V8's layout (`a,b,c\n,`), numbers of 1 to 20 digits (some over 2^32-1), stray whitespace, and defects. Forward,
// both must agree exactly (numbers, state, the `]` position, each error's words, offset and kind); backward they
// must give the same numbers and state, and fail on the same range (the offset of a defect may differ: the
// WebAssembly scanner reads the middle of a range forward).
import { describe, expect, it } from 'vitest';
import { backwardState, forwardState, ScanError, type ScanState } from '../../src/snapshot/number-scan.js';
import { JsNumberScanner, type NumberScanner } from '../../src/snapshot/number-scanner.js';
import { WasmNumberScanner } from '../../src/snapshot/wasm/wasm-scanner.js';
import { rng } from './helpers.js';

interface Case {
  text: Uint8Array;
  /** Room in the destination (sometimes less than the numbers in the text). */
  room: number;
  cuts: number[];
}

function makeCase(random: () => number, defects: boolean): Case {
  const pick = (n: number) => Math.floor(random() * n);
  const wide = random() < 0.1; // a case with numbers of 11 to 20 digits (over 2^32-1 unless zero-padded)
  const digits = (): string => {
    const r = random();
    const length = r < 0.3 ? 1 + pick(3) : r < 0.9 ? 4 + pick(5) : r < 0.995 || !wide ? 9 + pick(2) : 11 + pick(10);
    let s = String(1 + pick(length === 10 ? 3 : 9)); // ten digits stay under 2^32 (4294967296)
    while (s.length < length) s += String(pick(10));
    return random() < 0.01 ? `00${s}`.slice(0, Math.max(length, 12)) : s;
  };
  const parts: string[] = [];
  const count = 1 + pick(random() < 0.5 ? 40 : 3000);
  const noisy = random() < 0.2;
  for (let k = 0; k < count; k++) {
    if (k > 0) parts.push(k % 3 === 0 ? '\n,' : ',');
    if (noisy && random() < 0.1) parts.push([' ', '\t', '\r\n', '  '][pick(4)]);
    parts.push(digits());
    if (noisy && random() < 0.1) parts.push(' ');
  }
  let text = parts.join('');
  if (defects) {
    const at = pick(text.length + 1);
    const bad = [',', ' 7', '\n7', '\n', '\n\n,', 'x', ']', ',,', '\u00e9', '-1', '1.5'][pick(11)];
    text = random() < 0.5 ? text.slice(0, at) + bad + text.slice(at) : text.slice(0, at) + bad + text.slice(at + 1);
  }
  if (random() < 0.3) text += ']';
  const bytes = new TextEncoder().encode(text);
  const cuts: number[] = [];
  const step = random() < 0.3 ? 1 + pick(40) : 100 + pick(6000);
  for (let p = pick(step) + 1; p < bytes.length; p += 1 + pick(step)) cuts.push(p);
  const numbers = count + 3;
  return { text: bytes, room: random() < 0.1 ? pick(numbers) : numbers, cuts };
}

/** The state to compare: a pending value over 2^32-1 is an error whatever it is (the WebAssembly scanner saturates it). */
const comparable = (st: ScanState) => ({ ...st, value: st.value > 0xffffffff ? 'too large' : st.value });

type Outcome = { close: number } | { what: string; pos: number; kind: string };

function outcome(run: () => number): Outcome {
  try {
    return { close: run() };
  } catch (e) {
    if (!(e instanceof ScanError)) throw e;
    return { what: e.what, pos: e.pos, kind: e.kind };
  }
}

/** Scans the text forward range by range; what each range did, then the numbers and the state. */
function forwardAll(scanner: NumberScanner, c: Case, stopAtBracket: boolean) {
  const dest = new Uint32Array(c.room);
  const st = forwardState();
  const steps: Outcome[] = [];
  const bounds = [0, ...c.cuts, c.text.length];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const n = bounds[k + 1] - bounds[k];
    scanner.buf.set(c.text.subarray(bounds[k], bounds[k + 1]), 1);
    const step = outcome(() => scanner.forward(1, 1 + n, dest, st, stopAtBracket));
    steps.push(step);
    if (!('close' in step) || step.close >= 0) break;
  }
  return { steps, dest: [...dest], state: comparable(st) };
}

function backwardAll(scanner: NumberScanner, c: Case) {
  const dest = new Uint32Array(c.room);
  const st: ScanState = backwardState(c.room);
  const steps: string[] = [];
  const text = c.text[c.text.length - 1] === 93 ? c.text.subarray(0, c.text.length - 1) : c.text;
  const bounds = [0, ...c.cuts.filter((p) => p < text.length), text.length];
  for (let k = bounds.length - 1; k > 0; k--) {
    const n = bounds[k] - bounds[k - 1];
    scanner.buf.set(text.subarray(bounds[k - 1], bounds[k]), 1);
    const step = outcome(() => {
      scanner.backward(1, 1 + n, dest, st);
      return 0;
    });
    steps.push('close' in step ? 'ok' : 'failed');
    if (!('close' in step)) return { steps, dest: null, state: null };
  }
  return { steps, dest: [...dest], state: comparable(st) };
}

describe('the WebAssembly number scanner', () => {
  const size = 8000;
  const wasm = new WasmNumberScanner(size);
  const js = new JsNumberScanner(size);

  it('reads forward exactly as the JS scanner does, defects and all', () => {
    const random = rng(7);
    let fastNumbers = 0;
    for (let k = 0; k < 1500; k++) {
      const c = makeCase(random, k % 3 === 2);
      const stop = k % 2 === 0;
      const expected = forwardAll(js, c, stop);
      expect(forwardAll(wasm, c, stop), `case ${k}`).toEqual(expected);
      fastNumbers += expected.state.index;
    }
    expect(fastNumbers).toBeGreaterThan(500_000);
  });

  it('reads backward to the same numbers and state, and fails on the same range', () => {
    const random = rng(11);
    for (let k = 0; k < 1500; k++) {
      const c = makeCase(random, k % 3 === 2);
      expect(backwardAll(wasm, c), `case ${k}`).toEqual(backwardAll(js, c));
    }
  });

  it('converts numbers of every length from 1 to 16 digits in the fast path, and rejects 2^32', () => {
    const values = [0, 7, 42, 999, 1000, 65535, 1234567, 12345678, 99999999, 100000000, 123456789, 4294967295];
    const text = new TextEncoder().encode(`${Array.from({ length: 40 }, () => values.join(',')).join('\n,')}]`);
    const dest = new Uint32Array(values.length * 40);
    wasm.buf.set(text, 1);
    expect(wasm.forward(1, 1 + text.length, dest, forwardState(), true)).toBe(text.length);
    expect([...dest]).toEqual(Array.from({ length: 40 }, () => values).flat());
    const padded = new TextEncoder().encode(
      `${'1,'.repeat(50)}0000004294967295,${'2,'.repeat(50)}4294967296,1,2,3,4,5,6,7,8,9`,
    );
    const st = forwardState();
    const out = new Uint32Array(200);
    wasm.buf.set(padded, 1);
    expect(() => wasm.forward(1, 1 + padded.length, out, st, false)).toThrow('number too large');
    expect(st.index).toBe(101);
    expect(out[50]).toBe(4294967295);
  });
});
