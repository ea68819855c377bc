import type { HeapSnapshot } from '../../snapshot/snapshot.js';
import { ASCII, type StringTable } from '../../snapshot/string-table.js';

/**
 * Which of a few known names a string index holds, each string compared once (V8 writes each string once,
 * but nothing here relies on it): `of(i)` is the position of the name in `known`, or -1.
 */
export class KnownNames {
  private readonly seen: Int8Array;
  constructor(
    private readonly s: HeapSnapshot,
    private readonly known: readonly string[],
    /** Every string's answer, from table() (for a thread without the strings); else each is looked up once. */
    filled?: Int8Array,
  ) {
    this.seen = filled ?? new Int8Array(s.strings.length); // 0 not looked at yet, else 1 + position (known.length + 1: none)
  }
  /** Every string looked up now: a table that KnownNames on a snapshot without strings can be given. */
  table(): Int8Array {
    const { strings } = this.s;
    // plain ASCII strings whose byte length and first character match no name are none of them, without a
    // comparison (most strings: this runs over millions); the others are compared (escapes decoded)
    const ascii = this.known.every((k) => /^[\x00-\x7f]+$/.test(k));
    const lengthOk = new Uint8Array(256);
    const firstOk = new Uint8Array(128);
    for (const k of this.known) {
      if (k.length < 256) lengthOk[k.length] = 1;
      firstOk[k.charCodeAt(0) & 127] = 1;
    }
    // a name of n characters takes at most 6n bytes written with escapes (\uXXXX)
    const longest = 6 * Math.max(...this.known.map((k) => k.length));
    const none = this.known.length + 1;
    for (let i = 0, n = this.seen.length; i < n; i++) {
      if (this.seen[i] !== 0) continue;
      const length = strings.byteLength(i);
      if (ascii && strings.flagsOf(i) === ASCII) {
        if (length >= 256 || lengthOk[length] === 0 || firstOk[strings.charCodeAt(i, 0) & 127] === 0) {
          this.seen[i] = none;
          continue;
        }
      } else if (length > longest || length === 0) {
        this.seen[i] = none;
        continue;
      } else if (ascii) {
        // the first byte as written: a character of its own unless it starts an escape (\\) or is not ASCII
        const first = strings.rawBytes(i)[0];
        if (first >= 128 || (first !== 92 && firstOk[first] === 0)) {
          this.seen[i] = none;
          continue;
        }
      }
      this.lookUp(i);
    }
    return this.seen;
  }
  of(i: number): number {
    const v = this.seen[i];
    return v !== 0 ? (v <= this.known.length ? v - 1 : -1) : this.lookUp(i);
  }
  /** The first look at string i (kept small above so that `of` is inlined where it is called). */
  private lookUp(i: number): number {
    let k = 0;
    while (k < this.known.length && !this.s.strings.equals(i, this.known[k])) k++;
    this.seen[i] = k + 1;
    return k < this.known.length ? k : -1;
  }
  /** The node's name, as a position in `known` or -1. */
  ofNode(o: number): number {
    const s = this.s;
    return this.of(s.nodes[o * s.nodeFieldCount + s.nodeNameOffset]);
  }
}

/**
 * The number string i spells when it is 1 to 9 decimal digits (what Number() would give), else -1: read from
 * its bytes, so a Map's table of a million entry slots named "3", "4", … is measured without decoding them.
 */
export function digitsValue(strings: StringTable, i: number): number {
  const n = strings.byteLength(i);
  if (n === 0 || n > 9) return -1;
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = strings.charCodeAt(i, k);
    if (!(c >= 48 && c <= 57)) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/** Edge names that are string indices: everything but element and hidden edges. */
export function namedEdge(s: HeapSnapshot, e: number): boolean {
  const t = s.edgeTypes[e];
  return t !== s.edgeType.element && t !== s.edgeType.hidden;
}

/** The first internal edge of o called `known[k]` (by KnownNames), its target or -1. */
export function internalTarget(s: HeapSnapshot, names: KnownNames, o: number, k: number): number {
  const internal = s.edgeType.internal;
  for (let e = s.firstEdge[o], end = s.firstEdge[o + 1]; e < end; e++) {
    if (s.edgeTypes[e] === internal && names.of(s.edgeNames[e]) === k) return s.edgeTargets[e];
  }
  return -1;
}

/** Keeps the `limit` biggest (by `size`) of what it is offered, without sorting everything. */
export class TopK {
  readonly nodes: number[] = [];
  readonly sizes: number[] = [];
  constructor(private readonly limit: number) {}
  offer(node: number, size: number): void {
    const n = this.nodes.length;
    if (n === this.limit && size <= this.sizes[n - 1]) return;
    let i = n === this.limit ? n - 1 : n;
    while (i > 0 && this.sizes[i - 1] < size) {
      this.nodes[i] = this.nodes[i - 1];
      this.sizes[i] = this.sizes[i - 1];
      i--;
    }
    this.nodes[i] = node;
    this.sizes[i] = size;
  }
}

/**
 * The key offered most often, by Misra–Gries with `slots` counters (any key offered more than 1/slots of the
 * time is kept), with the first few examples offered under it: bounded memory however many are offered.
 */
export class HeavyHitters {
  private readonly keys: Int32Array;
  private readonly counts: Int32Array;
  private readonly examples: number[][];
  constructor(
    slots: number,
    private readonly perKey: number,
  ) {
    this.keys = new Int32Array(slots).fill(-1);
    this.counts = new Int32Array(slots);
    this.examples = Array.from({ length: slots }, () => []);
  }
  offer(key: number, example: number): void {
    const { keys, counts } = this;
    let free = -1;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === key) {
        counts[i]++;
        if (this.examples[i].length < this.perKey) this.examples[i].push(example);
        return;
      }
      if (counts[i] === 0 && free < 0) free = i;
    }
    if (free >= 0) {
      keys[free] = key;
      counts[free] = 1;
      this.examples[free] = [example];
      return;
    }
    for (let i = 0; i < keys.length; i++) counts[i]--;
  }
  /** The examples of the key kept with the highest count (empty when nothing was offered). */
  topExamples(): number[] {
    let best = -1;
    for (let i = 0; i < this.keys.length; i++)
      if (this.counts[i] > 0 && (best < 0 || this.counts[i] > this.counts[best])) best = i;
    return best < 0 ? [] : this.examples[best];
  }
}

/** Per class id, the position of its name in `known` or -1 (objects are matched by class, not by name string). */
export function classKinds(classNames: readonly string[], known: readonly string[]): Int8Array {
  const out = new Int8Array(classNames.length);
  for (let c = 0; c < classNames.length; c++) out[c] = known.indexOf(classNames[c]);
  return out;
}

/**
 * internalTarget scanning from the last edge: V8 writes an array's element edges first and its internal edges
 * last, so `elements` of a 100,000-element array is found in a few steps.
 */
export function lastInternalTarget(s: HeapSnapshot, names: KnownNames, o: number, k: number): number {
  const internal = s.edgeType.internal;
  for (let e = s.firstEdge[o + 1] - 1, start = s.firstEdge[o]; e >= start; e--) {
    if (s.edgeTypes[e] === internal && names.of(s.edgeNames[e]) === k) return s.edgeTargets[e];
  }
  return -1;
}
