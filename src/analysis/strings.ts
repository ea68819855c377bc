import type { HeapSnapshot } from '../snapshot/snapshot.js';
import { prefaulted } from './prefault.js';
import type { HeapAnalysis } from './types.js';

/** One string value held by more than one string object. */
export interface DuplicateString {
  /** The value (as the snapshot stores it: V8 cuts long string names short). */
  value: string;
  count: number;
  /** Size of one copy in bytes. */
  selfSize: number;
  /** Bytes that one shared copy would save: (count - 1) × selfSize. */
  wastedSize: number;
}

/** Per string index: how many string objects have that value, and the size of one (-1: copies differ in size). */
export interface StringCopies {
  readonly count: Uint32Array;
  readonly size: Float64Array;
}

/**
 * Counts the string objects per value. The snapshot's strings table stores each value once, so equal values
 * share a name index: counting per index is counting per value. A name whose copies differ in size is a value
 * V8 cut short in the snapshot (different strings with a common prefix): its size is -1. `stringCount` is the
 * strings table's size (a worker thread's snapshot has no strings); `allocate` gives shared memory there.
 */
export function countStringCopies(
  s: HeapSnapshot,
  stringCount = s.strings.length,
  allocate: (bytes: number) => ArrayBufferLike = (bytes) => new ArrayBuffer(bytes),
): StringCopies {
  const counter = new StringCopyCounter(s, stringCount, allocate);
  counter.countWhile(() => true);
  return counter.copies;
}

/** Nodes counted between two looks at whether to go on (about a millisecond's work). */
const CHUNK = 1 << 16;

/**
 * countStringCopies in pieces: the analysis worker counts while it waits for the main thread's numbering and
 * finishes after its other work, so that the count mostly costs it no time of its own.
 */
export class StringCopyCounter {
  readonly copies: StringCopies;
  private next = 0;

  constructor(
    private readonly s: HeapSnapshot,
    stringCount: number,
    allocate: (bytes: number) => ArrayBufferLike,
  ) {
    this.copies = {
      count: prefaulted(new Uint32Array(allocate(stringCount * 4))),
      size: new Float64Array(allocate(stringCount * 8)),
    };
  }

  /** Counts chunk by chunk while `goOn()` says so; true once every node is counted. */
  countWhile(goOn: () => boolean): boolean {
    const n = this.s.nodeCount;
    while (this.next < n && goOn()) {
      const end = Math.min(n, this.next + CHUNK);
      countRange(this.s, this.copies, this.next, end);
      this.next = end;
    }
    return this.next === n;
  }
}

function countRange(s: HeapSnapshot, { count, size }: StringCopies, from: number, to: number): void {
  const { nodes, nodeFieldCount: nf } = s;
  const types = s.nodeTypes;
  const nameOff = s.nodeNameOffset;
  const sizeOff = s.nodeSelfSizeOffset;
  const stringType = s.nodeType.string;
  for (let o = from; o < to; o++) {
    if (types[o] !== stringType) continue;
    const base = o * nf;
    const name = nodes[base + nameOff];
    const bytes = nodes[base + sizeOff];
    if (count[name] === 0) size[name] = bytes;
    else if (size[name] !== bytes) size[name] = -1; // cut-short name shared by different strings
    count[name]++;
  }
}

/**
 * Flat strings with the same value held more than once, most wasted bytes first (values whose copies differ
 * in size are left out rather than guessed, see countStringCopies); values are decoded for the rows only.
 */
export function duplicateStrings(
  a: HeapAnalysis,
  limit = 20,
  { count, size }: StringCopies = countStringCopies(a.snapshot),
): DuplicateString[] {
  const s = a.snapshot;
  // keep the `limit` largest by wasted bytes without sorting every string; values are decoded for those only
  const picked: { name: number; wastedSize: number }[] = [];
  let floor = 0;
  for (let k = 0; k < count.length; k++) {
    if (count[k] < 2 || size[k] <= 0) continue;
    const wasted = (count[k] - 1) * size[k];
    if (picked.length >= limit && wasted <= floor) continue;
    picked.push({ name: k, wastedSize: wasted });
    if (picked.length > limit * 4) {
      picked.sort((x, y) => y.wastedSize - x.wastedSize);
      picked.length = limit;
      floor = picked[limit - 1].wastedSize;
    }
  }
  const rows: DuplicateString[] = picked.map(({ name, wastedSize }) => ({
    value: s.strings.get(name),
    count: count[name],
    selfSize: size[name],
    wastedSize,
  }));
  rows.sort((x, y) => y.wastedSize - x.wastedSize || (x.value < y.value ? -1 : 1));
  return rows.slice(0, limit);
}
