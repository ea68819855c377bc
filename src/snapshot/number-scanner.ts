import { type ScanState, scanBackward, scanForward } from './number-scan.js';
import { WasmNumberScanner } from './wasm/wasm-scanner.js';

/**
 * A read buffer and the scans over it (see number-scan.ts for their contract): file bytes go to buf[1, 1+n),
 * leaving a spare byte each side for the scans' sentinels.
 */
export interface NumberScanner {
  readonly buf: Uint8Array;
  /** Scans buf[from, to) forward into dest; returns the position of `]` when stopAtBracket and it is found, else -1. */
  forward(from: number, to: number, dest: Uint32Array, st: ScanState, stopAtBracket: boolean): number;
  /** Scans buf[from, to) from its end into dest below st.index. */
  backward(from: number, to: number, dest: Uint32Array, st: ScanState): void;
}

/** The scans in JavaScript, for runtimes without WebAssembly (e.g. node --jitless). */
export class JsNumberScanner implements NumberScanner {
  readonly buf: Uint8Array;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(Math.max(1, size) + 2);
  }

  forward(from: number, to: number, dest: Uint32Array, st: ScanState, stopAtBracket: boolean): number {
    return scanForward(this.buf, from, to, dest, st, stopAtBracket);
  }

  backward(from: number, to: number, dest: Uint32Array, st: ScanState): void {
    scanBackward(this.buf, from, to, dest, st);
  }
}

/** 'auto': WebAssembly where the runtime has it, else JS; 'js': JS (tests check one against the other). */
export type ScannerKind = 'auto' | 'js';

/** A scanner whose buffer holds `size` bytes. */
export function numberScanner(size: number, kind: ScannerKind = 'auto'): NumberScanner {
  if (kind === 'auto' && typeof WebAssembly === 'object') return new WasmNumberScanner(size);
  return new JsNumberScanner(size);
}
