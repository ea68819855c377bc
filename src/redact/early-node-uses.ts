import type { SnapshotHeader } from '../snapshot/meta.js';
import type { EdgeCounts } from './edge-counts.js';
import { BadRecord, DICTIONARY_STORE, NodeRecordWalk } from './record-uses.js';
import { CODE } from './uses.js';

/**
 * The nodes' part of RecordUses (record-uses.ts's NodeUses) for nodes parsed before the strings are known (the
 * parse worker starts on them at once: parallel-pass.ts). The names' uses go to an array as long as the most
 * strings the strings section can hold, and the largest name is kept, to be checked against the table once it is
 * read. Whether a node is a dictionary property store depends on its name being '(object properties)': every
 * 'array' node gets its store bit, its name kept in order (4 bytes per such node), and `decideStores` clears the
 * bits of those named otherwise once the strings are known.
 */
export class EarlyNodeUses extends NodeRecordWalk {
  /** The largest name index met so far. */
  private maxName = 0;
  /**
   * The names of the 'array' nodes, in node order: room for every node, address space touched only as far as it is
   * written (grown by doubling, each size was made anew, its pages faulted in and copied: ~1 M such nodes at 660 MB).
   */
  private arrayNames: Uint32Array;
  private arrays = 0;

  constructor(
    header: SnapshotHeader,
    /** A byte per string the strings section could hold. */
    private readonly uses: Uint8Array,
    private readonly edgeCounts: EdgeCounts,
    private readonly dictionaryStore: Uint8Array,
  ) {
    super(header);
    this.arrayNames = new Uint32Array(Math.max(1024, header.nodeCount));
  }

  protected slice(values: Uint32Array, at: number, count: number): void {
    const { nf, nType, nName, nEdges, arrayType, rule, uses, edgeCounts } = this;
    const store = this.dictionaryStore;
    const bound = uses.length;
    const ruleCount = rule.length;
    let names = this.arrayNames;
    let arrays = this.arrays;
    let maxName = this.maxName;
    let o = this.seen;
    for (let i = at, end = at + count * nf; i < end; i += nf, o++) {
      const type = values[i + nType];
      const name = values[i + nName];
      if (name >= bound) break;
      if (name > maxName) maxName = name;
      // a type the meta does not list names code
      uses[name] |= type < ruleCount ? rule[type] : CODE;
      if (type === arrayType) {
        if (arrays === names.length) names = this.grow();
        names[arrays++] = name;
        store[o >>> 3] |= 1 << (o & 7);
      }
    }
    this.arrays = arrays;
    this.maxName = maxName;
    edgeCounts.pushRun(values, at + nEdges, nf, o - this.seen);
    const stopped = this.seen + count !== o;
    this.seen = o;
    if (stopped) throw new BadRecord(o * nf + nName, 'node name is not a string index');
  }

  private grow(): Uint32Array {
    const grown = new Uint32Array(this.arrayNames.length * 2);
    grown.set(this.arrayNames);
    this.arrayNames = grown;
    return grown;
  }

  /**
   * Once the strings are known (`named`: namedStrings() of them): false when a node's name is past the table;
   * else only the 'array' nodes named '(object properties)' keep their store bit.
   */
  decideStores(named: Uint8Array): boolean {
    if (this.seen > 0 && this.maxName >= named.length) return false;
    const names = this.arrayNames;
    const store = this.dictionaryStore;
    // a bit per 'array' node was set, its name kept in the same order
    for (let b = 0, k = 0; k < this.arrays && b < store.length; b++) {
      const bits = store[b];
      if (bits === 0) continue;
      let keep = bits;
      for (let bit = 0; bit < 8; bit++) {
        if ((bits & (1 << bit)) !== 0 && (named[names[k++]] & DICTIONARY_STORE) === 0) keep &= ~(1 << bit);
      }
      store[b] = keep;
    }
    this.arrayNames = new Uint32Array(0);
    return true;
  }
}
