import type { SnapshotHeader } from '../snapshot/meta.js';
import type { RecordSink } from '../snapshot/scan-targets.js';
import { ESCAPED, type StringTable } from '../snapshot/string-table.js';
import { EdgeCounts, type SharedCounts } from './edge-counts.js';
import { type NodeTarget, nodeTarget } from './node-target.js';
import { CODE, DATA, edgeNameUses, nodeNameUses, PROPERTY } from './uses.js';

/** A record field that breaks the rules: `index` is the number's in its array; `count` means the edges and the nodes' edge counts disagree. */
export class BadRecord extends Error {
  constructor(
    readonly index: number,
    readonly what: string,
    readonly kind: 'field' | 'count' = 'field',
  ) {
    super(what);
  }
}

/** Records per call of a sink's loop: small calls get the loop optimized whole, not on-stack-replaced mid-run. */
const SLICE = 4096;

/** Per string: it is 'properties' (the internal edge to an object's property store), '(object properties)' (a dictionary store's name). */
export const PROPERTIES = 1;
export const DICTIONARY_STORE = 2;

/**
 * The uses of every string (see uses.ts), taken from the node and edge records as they are parsed, in file order:
 * `nodes` first (their names, their edge counts, and which nodes are dictionary property stores: a byte and a bit
 * per node), then `edges`, each node's from the recorded counts; `edges.finish()` once every edge is in. Both
 * sinks take runs of whole records and throw BadRecord on a bad field. The rules (uses.ts), applied in loops over
 * the records with their state in locals: these run once per node and per edge. `analyze --redact` feeds them too.
 */
export class RecordUses {
  readonly uses: Uint8Array;
  readonly nodes: NodeUses;
  readonly edges: EdgeUses;
  readonly edgeCounts: EdgeCounts;
  readonly dictionaryStore: Uint8Array;

  /**
   * `strings`, or what namedStrings() found in them; `memory`: the uses, the dictionary store bits and the edge
   * counts in shared memory (for the two threads of parallel-pass.ts), else made here.
   */
  constructor(header: SnapshotHeader, strings: StringTable | Uint8Array, memory?: SharedUses) {
    const named = strings instanceof Uint8Array ? strings : namedStrings(strings);
    this.uses = memory ? new Uint8Array(memory.uses) : new Uint8Array(named.length);
    this.dictionaryStore = memory
      ? new Uint8Array(memory.dictionaryStore)
      : new Uint8Array((header.nodeCount + 7) >>> 3);
    const edgeCounts = new EdgeCounts(header.nodeCount, memory?.counts);
    this.edgeCounts = edgeCounts;
    this.nodes = new NodeUses(header, this.uses, named, edgeCounts, this.dictionaryStore);
    this.edges = new EdgeUses(header, this.uses, named, edgeCounts, this.dictionaryStore);
  }
}

/** The memory of RecordUses shared between two threads (see parallel-pass.ts). */
export interface SharedUses {
  /** A byte per string (each thread has its own: they are OR-ed at the end). */
  uses: SharedArrayBuffer;
  dictionaryStore: SharedArrayBuffer;
  counts: SharedCounts;
}

/** Which strings are 'properties' and '(object properties)' (see PROPERTIES): one look at each string's length first. */
export function namedStrings(strings: StringTable): Uint8Array {
  const named = new Uint8Array(strings.length);
  for (let i = 0; i < strings.length; i++) {
    const bytes = strings.byteLength(i);
    if (bytes >= 10) named[i] = nameBits(strings, i, bytes);
  }
  return named;
}

/** namedStrings() of string i, `bytes` long in the file. */
export function nameBits(strings: StringTable, i: number, bytes: number): number {
  // a name's bytes: as many as its characters, or up to six per character when the file escaped them
  if ((strings.flagsOf(i) & ESCAPED) === 0) {
    if (bytes === 10 && strings.equals(i, 'properties')) return PROPERTIES;
    if (bytes === 19 && strings.equals(i, '(object properties)')) return DICTIONARY_STORE;
    return 0;
  }
  if (bytes > 6 * 19) return 0;
  let bits = 0;
  if (bytes <= 6 * 10 && strings.equals(i, 'properties')) bits |= PROPERTIES;
  if (strings.equals(i, '(object properties)')) bits |= DICTIONARY_STORE;
  return bits;
}

/**
 * What the two walks over the nodes share (NodeUses here, EarlyNodeUses before the strings are known): the record
 * layout, the names' rule per node type, and runs of records handed to the walk's own loop a slice at a time.
 */
export abstract class NodeRecordWalk implements RecordSink {
  /** Records taken so far. */
  seen = 0;
  protected readonly nf: number;
  protected readonly nType: number;
  protected readonly nName: number;
  protected readonly nEdges: number;
  protected readonly arrayType: number;
  protected readonly rule: Uint8Array;

  constructor(header: SnapshotHeader) {
    const { nodeFields, nodeTypes } = header.meta;
    this.nf = nodeFields.length;
    this.nType = nodeFields.indexOf('type');
    this.nName = nodeFields.indexOf('name');
    this.nEdges = nodeFields.indexOf('edge_count');
    this.arrayType = nodeTypes.indexOf('array');
    this.rule = nodeNameUses(nodeTypes);
  }

  records(values: Uint32Array, at: number, _first: number, count: number): void {
    for (let k = 0; k < count; k += SLICE) this.slice(values, at + k * this.nf, Math.min(SLICE, count - k));
  }

  protected abstract slice(values: Uint32Array, at: number, count: number): void;
}

export class NodeUses extends NodeRecordWalk {
  constructor(
    header: SnapshotHeader,
    private readonly uses: Uint8Array,
    private readonly named: Uint8Array,
    private readonly edgeCounts: EdgeCounts,
    private readonly dictionaryStore: Uint8Array,
  ) {
    super(header);
  }

  protected slice(values: Uint32Array, at: number, count: number): void {
    const { nf, nType, nName, nEdges, arrayType, rule, uses, named, edgeCounts } = this;
    const store = this.dictionaryStore;
    const stringCount = uses.length;
    const ruleCount = rule.length;
    let o = this.seen;
    for (let i = at, end = at + count * nf; i < end; i += nf, o++) {
      const type = values[i + nType];
      const name = values[i + nName];
      if (name >= stringCount) break;
      // a type the meta does not list names code
      uses[name] |= type < ruleCount ? rule[type] : CODE;
      if (type === arrayType && (named[name] & DICTIONARY_STORE) !== 0) store[o >>> 3] |= 1 << (o & 7);
    }
    edgeCounts.pushRun(values, at + nEdges, nf, o - this.seen);
    const stopped = this.seen + count !== o;
    this.seen = o;
    if (stopped) throw new BadRecord(o * nf + nName, 'node name is not a string index');
  }
}

/**
 * What the walks over the edges share (EdgeUses from the front, BackEdgeUses from the back): the record layout,
 * the current node's property names so far, and how a node's names end (data when its properties are in a
 * dictionary, unless it is a global object). Each walk keeps its own loop over the records: the direction differs.
 */
export abstract class EdgeNameWalk {
  /** The node's property names so far (their use depends on whether its properties are in a dictionary). */
  protected propertyNames: Uint32Array = new Uint32Array(64);
  protected propertyCount = 0;
  protected dictionary = false;
  protected readonly ef: number;
  protected readonly nf: number;
  protected readonly eType: number;
  protected readonly eName: number;
  protected readonly eTo: number;
  protected readonly nodeCount: number;
  protected readonly internalType: number;
  protected readonly shortcutType: number;
  protected readonly rule: Uint8Array;
  /** How to_node fields are checked and divided (node-target.ts). */
  protected readonly target: NodeTarget;

  constructor(
    header: SnapshotHeader,
    protected readonly uses: Uint8Array,
    protected readonly named: Uint8Array,
    protected readonly edgeCounts: EdgeCounts,
    protected readonly dictionaryStore: Uint8Array,
    /** Targets of the root's shortcut edges: the global objects. */
    protected readonly globals: Set<number>,
  ) {
    const { meta } = header;
    this.ef = meta.edgeFields.length;
    this.nf = meta.nodeFields.length;
    this.eType = meta.edgeFields.indexOf('type');
    this.eName = meta.edgeFields.indexOf('name_or_index');
    this.eTo = meta.edgeFields.indexOf('to_node');
    this.nodeCount = header.nodeCount;
    this.internalType = meta.edgeTypes.indexOf('internal');
    this.shortcutType = meta.edgeTypes.indexOf('shortcut');
    this.rule = edgeNameUses(meta.edgeTypes);
    this.target = nodeTarget(this.nf, header.nodeCount);
  }

  protected grow(): Uint32Array {
    const grown = new Uint32Array(this.propertyNames.length * 2);
    grown.set(this.propertyNames);
    this.propertyNames = grown;
    return grown;
  }

  /** Node n's property names are data when its properties are in a dictionary, unless it is a global object. */
  protected endNode(n: number, names: Uint32Array, count: number, dictionary: boolean): void {
    const use = dictionary && !this.globals.has(n) ? DATA : CODE;
    const { uses } = this;
    for (let k = 0; k < count; k++) uses[names[k]] |= use;
  }
}

export class EdgeUses extends EdgeNameWalk implements RecordSink {
  /** Records taken so far. */
  seen = 0;
  /** The node whose edges come now (-1 before the first), and how many of them are still to come. */
  private node = -1;
  private left = 0;

  constructor(
    header: SnapshotHeader,
    uses: Uint8Array,
    named: Uint8Array,
    edgeCounts: EdgeCounts,
    dictionaryStore: Uint8Array,
  ) {
    super(header, uses, named, edgeCounts, dictionaryStore, new Set<number>()); // the globals: met at the root
  }

  records(values: Uint32Array, at: number, _first: number, count: number): void {
    for (let k = 0; k < count; k += SLICE) this.slice(values, at + k * this.ef, Math.min(SLICE, count - k));
  }

  private slice(values: Uint32Array, at: number, count: number): void {
    const { ef, eType, eName, eTo, nodeCount, internalType, shortcutType, rule, uses, named, globals } = this;
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
    // the numbers of the node's edges still to come, so that its edges in this slice are one inner loop
    let left = this.left * ef;
    let bad: BadRecord | null = null;
    let i = at;
    const end = at + count * ef;
    outer: while (i < end) {
      if (left === 0) {
        if (pc > 0) this.endNode(n, names, pc, dictionary);
        pc = 0;
        dictionary = false;
        let c = 0;
        do n++;
        while (n < nodeCount && (c = small[n]) === 0);
        if (n >= nodeCount) {
          bad = new BadRecord(this.seen * ef + (i - at), "the edges outnumber the nodes' edge counts", 'count');
          break;
        }
        left = (c < 255 ? c : counts.next(n)) * ef;
      }
      const stop = Math.min(end, i + left);
      left -= stop - i;
      for (; i < stop; i += ef) {
        const type = values[i + eType];
        const name = values[i + eName];
        const x = Math.imul(values[i + eTo], inverse);
        const target = ((x >>> shift) | (x << rotate)) >>> 0;
        if (target >= limit) {
          bad = new BadRecord(this.seen * ef + (i - at) + eTo, 'edge to_node is not a node');
          left += stop - i;
          break outer;
        }
        if (n === 0 && type === shortcutType) globals.add(target);
        // element and hidden edges, and types the meta does not list, are named by numbers
        const use = type < ruleCount ? rule[type] : 0;
        if (use === 0) continue;
        if (name >= stringCount) {
          bad = new BadRecord(this.seen * ef + (i - at) + eName, 'edge name is not a string index');
          left += stop - i;
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
    }
    this.propertyCount = pc;
    this.dictionary = dictionary;
    this.node = n;
    this.left = left / ef;
    this.seen += (i - at) / ef;
    if (bad) throw bad;
  }

  /** Where the walk stands (for the thread that walks the rest of the edges from the back: parallel-pass.ts). */
  pending(): PendingNode {
    return {
      node: this.node,
      left: this.left,
      names: this.propertyNames.slice(0, this.propertyCount),
      dictionary: this.dictionary,
      seen: this.seen,
    };
  }

  /** Once every edge is in: the last node's properties; the nodes after it must have no edges. */
  finish(): void {
    const fewer = () => new BadRecord(this.seen * this.ef, "fewer edges than the nodes' edge counts", 'count');
    if (this.left > 0) throw fewer();
    if (this.propertyCount > 0) this.endNode(this.node, this.propertyNames, this.propertyCount, this.dictionary);
    this.propertyCount = 0;
    for (let n = this.node + 1; n < this.nodeCount; n++) if (this.edgeCounts.next(n) > 0) throw fewer();
    this.node = this.nodeCount;
  }
}

/** The node whose edges a walk is in: its property names so far, whether its properties are in a dictionary. */
export interface PendingNode {
  node: number;
  /** Its edges still to come (forward), or those already taken (backward). */
  left: number;
  names: Uint32Array;
  dictionary: boolean;
  /** Edge records taken by the walk. */
  seen: number;
}
