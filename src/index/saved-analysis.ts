import type { ClassCounts } from '../analysis/class-counts.js';
import { buildRetainers } from '../analysis/graph.js';
import type { RootPaths } from '../analysis/paths.js';
import { DominatorTree, dominatorTreeLayout } from '../analysis/retained.js';
import type { StringCopies } from '../analysis/strings.js';
import type { HeapAnalysis, Retainers } from '../analysis/types.js';
import { HeapSnapshot } from '../snapshot/snapshot.js';
import { StringTable } from '../snapshot/string-table.js';
import { idOrder } from './id-order.js';
import type { IndexContents, IndexFile, PiecewiseSection, Section } from './index-file.js';
import { NodeRecordsBuilder, type StoredNodes, storedNodes } from './node-columns.js';

/** What an analysis is made of, as index sections and header fields: everything the reports read. */
export function analysisContents(a: HeapAnalysis, key: Record<string, unknown>): IndexContents {
  const s = a.snapshot;
  const { bytes, ends, flags } = stringParts(s.strings);
  const f = a.classCounts.functions;
  const stored = storedNodes(s);
  const ids = idOrder(s);
  const sections: Record<string, Section | PiecewiseSection> = {
    nodeRecords: stored.records,
    // (id, ordinal) sorted by id, and every FENCE-th id: `node` finds an ordinal with a read or two
    idOrder: ids.pairs,
    idFences: ids.fences,
    // 1 byte a node: cheaper to read than to pick out of the node records again on opening
    nodeTypes: s.nodeTypes,
    edgeTypes: s.edgeTypes,
    edgeNames: s.edgeNames,
    edgeTargets: s.edgeTargets,
    firstEdge: s.firstEdge,
    locations: s.locations,
    stringBytes: bytes,
    stringEnds: ends,
    stringFlags: flags,
    selfSizes: a.selfSizes,
    dominators: a.dominators,
    classOf: a.classOf,
    classCount: a.classCounts.count,
    classShallow: a.classCounts.shallowSize,
    pageOwned: toBits(a.pageOwned),
    // kept rather than summed again on opening (the sums cost more than reading them); 32 bits when they fit
    retainedSizes: a.totalSize < 2 ** 32 ? Uint32Array.from(a.retainedSizes) : a.retainedSizes,
  };
  if (a.detachedNative) sections.detachedNative = a.detachedNative;
  return {
    header: {
      key,
      meta: s.meta,
      storedNodes: stored.layout,
      domStateNodes: s.domStateNodes,
      classNames: a.classNames,
      functions: { classId: f.classId, names: f.names, count: f.count, first: f.first },
      totalSize: a.totalSize,
    },
    sections,
  };
}

/** The strings as one byte array, the end of each and its flags. */
function stringParts(t: StringTable): { bytes: Uint8Array; ends: Uint32Array | Float64Array; flags: Uint8Array } {
  let all = 0;
  for (let i = 0; i < t.length; i++) all += t.byteLength(i);
  const ends = all < 2 ** 32 ? new Uint32Array(t.length + 1) : new Float64Array(t.length + 1);
  const flags = new Uint8Array(t.length);
  let total = 0;
  for (let i = 0; i < t.length; i++) {
    total += t.byteLength(i);
    ends[i + 1] = total;
    flags[i] = t.flagsOf(i);
  }
  const bytes = new Uint8Array(total);
  for (let i = 0; i < t.length; i++) bytes.set(t.rawBytes(i), ends[i]);
  return { bytes, ends, flags };
}

/** The header fields an index holds beside its sections. */
export interface SavedHeader {
  meta: HeapSnapshot['meta'];
  storedNodes: StoredNodes;
  domStateNodes: number[] | null;
  classNames: string[];
  functions: { classId: number; names: number[]; count: number[]; first: number[] };
  totalSize: number;
}

/** The strings of an index as a table over its sections. */
export function savedStrings(bytes: Uint8Array, ends: Section, flags: Uint8Array): StringTable {
  return new StringTable(
    [Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)],
    [0],
    ends as Uint32Array | Float64Array,
    flags,
  );
}

/** The closures' functions as the class counts keep them. */
export function savedClassCounts(h: SavedHeader, count: Section, shallow: Section, strings: StringTable): ClassCounts {
  return {
    count: count as Float64Array,
    shallowSize: shallow as Float64Array,
    functions: { ...h.functions, idOfName: functionIds(h.functions.names, strings.length) },
  };
}

/**
 * The analysis an index holds, every block read and checked, ready for the same reports (the holder paths are
 * computed again when asked). Throws IndexDamage when a block is damaged.
 */
export function restoreAnalysis(file: IndexFile): HeapAnalysis {
  const h = file.header as unknown as SavedHeader;
  const u32 = (name: string) => file.section(name) as Uint32Array;
  const u8 = (name: string) => file.section(name) as Uint8Array;
  const strings = savedStrings(u8('stringBytes'), file.section('stringEnds'), u8('stringFlags'));
  const nodeTypes = u8('nodeTypes');
  const records = new NodeRecordsBuilder(h.meta.nodeFields, h.storedNodes, nodeTypes);
  // the stored records are rebuilt into full ones piece by piece: only the full ones take memory
  file.scan('nodeRecords', (piece, first) => records.add(piece as Uint32Array, first));
  // not used here, but checked: a damaged index is never trusted, whichever command opens it
  file.scan('idOrder', () => {});
  file.section('idFences');
  const snapshot = new HeapSnapshot(
    h.meta,
    records.finish(),
    nodeTypes,
    u8('edgeTypes'),
    u32('edgeNames'),
    u32('edgeTargets'),
    u32('firstEdge'),
    strings,
    u32('locations'),
    null,
    h.domStateNodes,
  );
  const saved = file.section('retainedSizes') as Uint32Array | Float64Array;
  const retainedSizes = saved instanceof Float64Array ? saved : Float64Array.from(saved);
  return new RestoredAnalysis(
    snapshot,
    u32('selfSizes'),
    u32('dominators'),
    retainedSizes,
    u32('classOf'),
    h.classNames,
    savedClassCounts(h, file.section('classCount'), file.section('classShallow'), strings),
    h.totalSize,
    file.has('detachedNative') ? u8('detachedNative') : null,
    fromBits(u8('pageOwned'), nodeTypes.length),
  );
}

class RestoredAnalysis implements HeapAnalysis {
  private retainersCache: Retainers | null = null;
  private treeCache: DominatorTree | null = null;

  constructor(
    readonly snapshot: HeapSnapshot,
    readonly selfSizes: Uint32Array,
    readonly dominators: Uint32Array,
    readonly retainedSizes: Float64Array,
    readonly classOf: Uint32Array,
    readonly classNames: string[],
    readonly classCounts: ClassCounts,
    readonly totalSize: number,
    readonly detachedNative: Uint8Array | null,
    readonly pageOwned: Uint8Array,
  ) {}

  /** Made again from the dominators when a report first walks the tree (`node` and `path` do not). */
  get dominatorTree(): DominatorTree {
    if (!this.treeCache) {
      const { firstChild, children } = dominatorTreeLayout(this.dominators, 0);
      this.treeCache = new DominatorTree(firstChild, children, this.retainedSizes);
    }
    return this.treeCache;
  }

  get retainers(): Retainers {
    this.retainersCache ??= buildRetainers(this.snapshot);
    return this.retainersCache;
  }

  backgroundRootPaths(): Promise<RootPaths | null> {
    return Promise.resolve(null);
  }

  backgroundStringCopies(): Promise<StringCopies | null> {
    return Promise.resolve(null);
  }
}

/** A byte per node (0 or 1) as a bit per node. */
function toBits(bytes: Uint8Array): Uint8Array {
  const bits = new Uint8Array((bytes.length + 7) >>> 3);
  for (let o = 0; o < bytes.length; o++) if (bytes[o]) bits[o >>> 3] |= 1 << (o & 7);
  return bits;
}

export function fromBits(bits: Uint8Array, n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  for (let o = 0; o < n; o++) bytes[o] = (bits[o >>> 3] >>> (o & 7)) & 1;
  return bytes;
}

/** Per string index, the function (closure name) it names, or -1 (see class-counts' closureFunctions). */
export function functionIds(names: number[], stringCount: number): Int32Array {
  const idOfName = new Int32Array(stringCount).fill(-1);
  names.forEach((name, f) => {
    idOfName[name] = f;
  });
  return idOfName;
}
