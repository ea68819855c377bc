import type { SnapshotHeader } from '../snapshot/meta.js';
import type { RecordSink } from '../snapshot/scan-targets.js';
import type { EdgeCounts } from './edge-counts.js';
import { BadRecord, EdgeNameWalk, type PendingNode, PROPERTIES } from './record-uses.js';
import { PROPERTY } from './uses.js';

const SLICE = 4096;

/**
 * The uses the edges give their names (record-uses.ts's EdgeUses), taken from the back of the edges array: the
 * runs of records come last to first (BackwardRecords), and each run is walked from its last record, each node's
 * edges told from the counts read back from the last node (the nodes' counts must add up to the edge count, which
 * the caller checked). The same rules as EdgeUses, in the same kind of loop. `meet` ends the walk where the
 * front walk (EdgeUses on the other thread) stopped, joining the node the two walks share.
 */
export class BackEdgeUses extends EdgeNameWalk implements RecordSink {
  /** The node whose edges come now (nodeCount before the first), and how many of them are still to come (towards the front). */
  private node: number;
  private left = 0;

  constructor(
    header: SnapshotHeader,
    uses: Uint8Array,
    named: Uint8Array,
    edgeCounts: EdgeCounts,
    dictionaryStore: Uint8Array,
    /** Targets of the root's shortcut edges (the global objects): read before the walk (rootGlobals). */
    globals: Set<number>,
  ) {
    super(header, uses, named, edgeCounts, dictionaryStore, globals);
    this.node = header.nodeCount;
  }

  records(values: Uint32Array, at: number, first: number, count: number): void {
    for (let k = count; k > 0; k -= SLICE) {
      const n = Math.min(SLICE, k);
      this.slice(values, at + (k - n) * this.ef, first + k - n, n);
    }
  }

  private slice(values: Uint32Array, at: number, first: number, count: number): void {
    const { ef, eType, eName, eTo, internalType, rule, uses, named } = this;
    const { inverse, shift, rotate, limit } = this.target;
    const store = this.dictionaryStore;
    const counts = this.edgeCounts;
    const small = counts.bytes;
    const stringCount = uses.length;
    const ruleCount = rule.length;
    let names = this.propertyNames;
    let pc = this.propertyCount;
    let dictionary = this.dictionary;
    let n = this.node;
    // the numbers of the node's edges still to come (towards the front), so that its edges here are one inner loop
    let left = this.left * ef;
    let bad: BadRecord | null = null;
    // i: the index of the record after the next one to take
    let i = at + count * ef;
    outer: while (i > at) {
      if (left === 0) {
        if (pc > 0) this.endNode(n, names, pc, dictionary);
        pc = 0;
        dictionary = false;
        let c = 0;
        do n--;
        while (n >= 0 && (c = small[n]) === 0);
        if (n < 0) {
          bad = new BadRecord(first * ef + (i - ef - at), "the edges outnumber the nodes' edge counts", 'count');
          break;
        }
        left = (c < 255 ? c : counts.prev(n)) * ef;
      }
      const stop = Math.max(at, i - left);
      left -= i - stop;
      for (i -= ef; i >= stop; i -= ef) {
        const type = values[i + eType];
        const name = values[i + eName];
        const x = Math.imul(values[i + eTo], inverse);
        const target = ((x >>> shift) | (x << rotate)) >>> 0;
        if (target >= limit) {
          bad = new BadRecord(first * ef + (i - at) + eTo, 'edge to_node is not a node');
          break outer;
        }
        const use = type < ruleCount ? rule[type] : 0;
        if (use === 0) continue;
        if (name >= stringCount) {
          bad = new BadRecord(first * ef + (i - at) + eName, 'edge name is not a string index');
          break outer;
        }
        if (use === PROPERTY) {
          if (pc === names.length) names = this.grow();
          names[pc++] = name;
          continue;
        }
        uses[name] |= use;
        if (
          type === internalType &&
          (named[name] & PROPERTIES) !== 0 &&
          (store[target >>> 3] & (1 << (target & 7))) !== 0
        ) {
          dictionary = true;
        }
      }
      i = stop;
    }
    this.propertyCount = pc;
    this.dictionary = dictionary;
    this.node = n;
    this.left = left / ef;
    if (bad) throw bad;
  }

  /**
   * Once the two walks have taken every edge: `front` is where the front walk stopped. When it stopped inside a
   * node (edges still to come), that node is the one this walk stopped in: its names from both walks get the use
   * its mode gives them, told from both walks' findings; else each walk's last node is ended on its own.
   */
  meet(front: PendingNode): void {
    if (front.left > 0) {
      // (the counts add up to the edge count, so the two walks agree on every edge's node: this only guards)
      if (front.node !== this.node)
        throw new BadRecord(front.seen * this.ef, 'the two walks over the edges do not meet', 'count');
      const dictionary = front.dictionary || this.dictionary;
      this.endNode(front.node, front.names, front.names.length, dictionary);
      this.endNode(this.node, this.propertyNames, this.propertyCount, dictionary);
    } else {
      if (this.left !== 0)
        throw new BadRecord(front.seen * this.ef, 'the two walks over the edges do not meet', 'count');
      this.endNode(front.node, front.names, front.names.length, front.dictionary);
      this.endNode(this.node, this.propertyNames, this.propertyCount, this.dictionary);
    }
    this.propertyCount = 0;
  }
}
