import type { SnapshotHeader } from '../snapshot/meta.js';
import type { RecordSink } from '../snapshot/scan-targets.js';
import type { SharedCounts } from './edge-counts.js';
import { BadRecord, DICTIONARY_STORE } from './record-uses.js';
import { CODE, nodeNameUses } from './uses.js';

const SLICE = 4096;

/**
 * The nodes' part of the uses (record-uses.ts's NodeUses), taken from the back of the nodes array while the
 * other thread takes them from the front (parallel-pass.ts): each node's name use, its edge count (a byte per
 * node by its index; counts of 255 or more to the shared list from its top down, last node first, so that they
 * can be moved after the front's in node order: afterFront) and its dictionary store bit. Runs come last to
 * first (BackwardRecords) and each is walked from its last record.
 */
export class BackNodeUses implements RecordSink {
  /** The sum of the edge counts taken. */
  total = 0;
  /** Counts of 255 or more taken (they sit at the top of the shared list). */
  largeCount = 0;
  private readonly small: Uint8Array;
  private readonly large: Uint32Array;
  private readonly nf: number;
  private readonly nType: number;
  private readonly nName: number;
  private readonly nEdges: number;
  private readonly arrayType: number;
  private readonly rule: Uint8Array;

  constructor(
    header: SnapshotHeader,
    private readonly uses: Uint8Array,
    private readonly named: Uint8Array,
    counts: SharedCounts,
    private readonly dictionaryStore: Uint8Array,
  ) {
    const { nodeFields, nodeTypes } = header.meta;
    this.small = new Uint8Array(counts.small);
    this.large = new Uint32Array(counts.large);
    this.nf = nodeFields.length;
    this.nType = nodeFields.indexOf('type');
    this.nName = nodeFields.indexOf('name');
    this.nEdges = nodeFields.indexOf('edge_count');
    this.arrayType = nodeTypes.indexOf('array');
    this.rule = nodeNameUses(nodeTypes);
  }

  records(values: Uint32Array, at: number, first: number, count: number): void {
    for (let k = count; k > 0; k -= SLICE) {
      const n = Math.min(SLICE, k);
      this.slice(values, at + (k - n) * this.nf, first + k - n, n);
    }
  }

  private slice(values: Uint32Array, at: number, first: number, count: number): void {
    const { nf, nType, nName, nEdges, arrayType, rule, uses, named, small, large } = this;
    const store = this.dictionaryStore;
    const stringCount = uses.length;
    const ruleCount = rule.length;
    let top = large.length - this.largeCount;
    let total = this.total;
    let o = first + count - 1;
    let bad: Error | null = null;
    for (let i = at + (count - 1) * nf; i >= at; i -= nf, o--) {
      const type = values[i + nType];
      const name = values[i + nName];
      if (name >= stringCount) {
        bad = new BadRecord(o * nf + nName, 'node name is not a string index');
        break;
      }
      uses[name] |= type < ruleCount ? rule[type] : CODE;
      const c = values[i + nEdges];
      total += c;
      if (c < 255) small[o] = c;
      else {
        // only counts adding up to more than the edge count fill the list: the caller gives up on the file
        if (top === 0) {
          bad = new RangeError('more large edge counts than the edges allow');
          break;
        }
        small[o] = 255;
        large[--top] = c;
      }
      // the other thread sets bits in the same bytes near where the two walks meet
      if (type === arrayType && (named[name] & DICTIONARY_STORE) !== 0) Atomics.or(store, o >>> 3, 1 << (o & 7));
    }
    this.largeCount = large.length - top;
    this.total = total;
    if (bad) throw bad;
  }

  /**
   * Once both walks are in: this walk's large counts moved just after the `front` ones (the front walk's), so
   * that the list holds them in node order; their number, or -1 when the two lists overlap (counts that add up
   * to more than the edge count).
   */
  afterFront(front: number): number {
    const top = this.large.length - this.largeCount;
    if (front > top) return -1;
    this.large.copyWithin(front, top);
    return front + this.largeCount;
  }
}
