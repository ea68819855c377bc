import type { ClassCounts } from '../analysis/class-counts.js';
import { locationLayout } from '../analysis/classes.js';
import type { RootPaths } from '../analysis/paths.js';
import { DominatorTree, dominatorTreeLayout } from '../analysis/retained.js';
import { knownClosureRecords } from '../analysis/source-locations.js';
import type { StringCopies } from '../analysis/strings.js';
import type { HeapAnalysis, Retainers } from '../analysis/types.js';
import type { NodeQueries } from '../report/nodes-report.js';
import { HeapSnapshot } from '../snapshot/snapshot.js';
import { lastRecordsOf } from './closure-records.js';
import { edgeSourcesByScan } from './edge-sources.js';
import { ordinalIn, pairsFor } from './id-order.js';
import { BLOCK, type IndexFile } from './index-file.js';
import { LazyStrings, lazyArray, lazyNodes } from './lazy-arrays.js';
import { fromBits, type SavedHeader, savedClassCounts } from './saved-analysis.js';
import { SectionReader } from './section-reader.js';

/**
 * The analysis an index holds, read only where a report looks: the node records, sizes, classes, dominators,
 * names and edges of the nodes it asks about (a block of 64 KiB each, checked before use), the id table's
 * fences and a block of it per id, and one pass over the edge targets for the retainers. Reading a damaged block
 * throws IndexDamage (the caller then analyses the snapshot again). For `node`; the other commands read it all.
 */
export class LazyAnalysis implements HeapAnalysis, NodeQueries {
  readonly snapshot: HeapSnapshot;
  readonly selfSizes: Uint32Array;
  readonly dominators: Uint32Array;
  readonly retainedSizes: Float64Array;
  readonly classOf: Uint32Array;
  readonly classNames: string[];
  readonly totalSize: number;
  readonly detachedNative: Uint8Array | null;
  private readonly header: SavedHeader;
  private countsCache: ClassCounts | null = null;
  private treeCache: DominatorTree | null = null;
  private readonly readers = new Map<string, SectionReader>();

  constructor(private readonly file: IndexFile) {
    const h = file.header as unknown as SavedHeader;
    this.header = h;
    const u32 = (name: string) => lazyArray<Uint32Array>(file, name);
    const u8 = (name: string) => lazyArray<Uint8Array>(file, name);
    const nodeTypes = u8('nodeTypes');
    this.snapshot = new HeapSnapshot(
      h.meta,
      lazyNodes(file, h.meta.nodeFields, h.storedNodes, nodeTypes),
      nodeTypes,
      u8('edgeTypes'),
      u32('edgeNames'),
      u32('edgeTargets'),
      u32('firstEdge'),
      new LazyStrings(file),
      undefined,
      null,
      h.domStateNodes,
    );
    // the closures `node` shows find their records in one pass (locateClosures): a record is read when asked for
    Object.defineProperty(this.snapshot, 'locations', { value: lazyArray<Uint32Array>(file, 'locations') });
    this.selfSizes = u32('selfSizes');
    this.dominators = u32('dominators');
    // 32-bit when the sizes fit (a read element is a number either way)
    this.retainedSizes = lazyArray<Float64Array>(file, 'retainedSizes');
    this.classOf = u32('classOf');
    this.classNames = h.classNames;
    this.totalSize = h.totalSize;
    this.detachedNative = file.has('detachedNative') ? u8('detachedNative') : null;
  }

  close(): void {
    this.file.close();
  }

  get classCounts(): ClassCounts {
    const f = this.file;
    this.countsCache ??= savedClassCounts(
      this.header,
      f.section('classCount'),
      f.section('classShallow'),
      this.snapshot.strings,
    );
    return this.countsCache;
  }

  get pageOwned(): Uint8Array {
    return fromBits(this.file.section('pageOwned') as Uint8Array, this.snapshot.nodeCount);
  }

  get dominatorTree(): DominatorTree {
    if (!this.treeCache) {
      const dominators = this.file.section('dominators') as Uint32Array;
      const saved = this.file.section('retainedSizes');
      const sizes = saved instanceof Float64Array ? saved : Float64Array.from(saved);
      const { firstChild, children } = dominatorTreeLayout(dominators, 0);
      this.treeCache = new DominatorTree(firstChild, children, sizes);
    }
    return this.treeCache;
  }

  get retainers(): Retainers {
    throw new Error('the retainer index is not read from a partly opened index (open it whole)');
  }

  backgroundRootPaths(): Promise<RootPaths | null> {
    return Promise.resolve(null);
  }

  backgroundStringCopies(): Promise<StringCopies | null> {
    return Promise.resolve(null);
  }

  /** The id table's fences (read whole), then the pairs after the fence of each id (one or two blocks). */
  ordinalsOfIds(ids: readonly number[]): number[] {
    const fences = this.file.section('idFences') as Uint32Array;
    const pairs = this.file.view('idOrder') as Uint32Array;
    const at = this.file.entry('idOrder').at;
    const n = this.snapshot.nodeCount;
    return ids.map((id) => {
      const [from, to] = pairsFor(fences, n, id);
      this.file.ensure(at + from * 8, at + to * 8);
      return ordinalIn(pairs, from, to, id);
    });
  }

  /**
   * The location records of the closures among these nodes, found by one pass over the records and handed to
   * closureRecordOf: not the index of every closure's record it would
   * make otherwise (the records and every node's type read whole, ~26 MB at 660 MB).
   */
  locateClosures(ordinals: readonly number[]): void {
    const s = this.snapshot;
    const L = locationLayout(s);
    if (L.node < 0) return;
    const known = new Map<number, number>();
    for (const o of ordinals) if (s.nodeTypeOf(o) === s.nodeType.closure) known.set(o, -1);
    if (known.size === 0) return;
    lastRecordsOf(this.file, 'locations', L.size, L.node, known);
    knownClosureRecords(s, known);
  }

  /** One pass over the edge targets (checked a run of blocks at a time, not kept). */
  edgesInto(targets: readonly number[]): Uint32Array[] {
    const slot = new Map<number, number>();
    targets.forEach((t, i) => {
      if (!slot.has(t)) slot.set(t, i);
    });
    // typed lists, doubled when full: an object's 10^5 edges in 4 bytes each, not in a number[] grown in steps
    const found = targets.map(() => new Uint32Array(4));
    const count = targets.map(() => 0);
    // a bit a node (1 MB for 8 M nodes), looked at only when the bit of the target's low 16 bits is set in an
    // 8 KB filter that stays in the CPU's first cache: most of the 23 M targets at 660 MB stop there
    const wanted = new Int32Array((this.snapshot.nodeCount + 31) >>> 5);
    const low = new Int32Array(1 << 11);
    for (const t of targets) {
      wanted[t >>> 5] |= 1 << (t & 31);
      low[(t & 0xffff) >>> 5] |= 1 << (t & 31);
    }
    this.file.scan('edgeTargets', (piece, first) => {
      for (const k of wantedAmong(piece as Uint32Array, low, wanted)) {
        const i = slot.get(piece[k])!;
        if (count[i] === found[i].length) {
          const grown = new Uint32Array(2 * found[i].length);
          grown.set(found[i]);
          found[i] = grown;
        }
        found[i][count[i]++] = first + k;
      }
    });
    return targets.map((t) => found[slot.get(t)!].subarray(0, count[slot.get(t)!]));
  }

  /**
   * The source of each edge: the last node whose first edge is at or before it. The edges taken in increasing
   * order: a few are searched for, reading only the firstEdge blocks looked at; many, found by one pass.
   */
  edgeSources(edges: ArrayLike<number>): Float64Array {
    let ascending = true;
    for (let k = 1; k < edges.length && ascending; k++) ascending = edges[k - 1] <= edges[k];
    const sorted = ascending ? edges : Array.from(edges).sort((x, y) => x - y);
    const n = this.snapshot.nodeCount;
    // a search reads a block or two of the node starts per edge, a pass reads them all: the cheaper one
    const found =
      sorted.length * 4 > n / (BLOCK / 4)
        ? edgeSourcesByScan(this.file, 'firstEdge', sorted)
        : this.searchSources(sorted);
    if (sorted === edges) return found;
    const sourceOf = new Map(Array.from(sorted, (e, i) => [e, found[i]]));
    return Float64Array.from(edges, (e) => sourceOf.get(e)!);
  }

  /** edgeSources for a few edges (in increasing order): each search gallops on from the last source found. */
  private searchSources(sorted: ArrayLike<number>): Float64Array {
    const firstEdge = this.reader('firstEdge');
    const n = this.snapshot.nodeCount;
    const startOf = (o: number) => firstEdge.get(o);
    const found = new Float64Array(sorted.length);
    let o = 0;
    for (let k = 0; k < sorted.length; k++) {
      const e = sorted[k];
      let step = 1;
      while (o + step < n && startOf(o + step) <= e) {
        o += step;
        step *= 2;
      }
      let hi = Math.min(o + step, n) - 1;
      while (o < hi) {
        const mid = o + Math.ceil((hi - o) / 2);
        if (startOf(mid) <= e) o = mid;
        else hi = mid - 1;
      }
      found[k] = o;
    }
    return found;
  }

  edgeTypesOf(edges: ArrayLike<number>): ArrayLike<number> {
    return this.readAll('edgeTypes', edges);
  }

  retainedSizesOf(ordinals: ArrayLike<number>): ArrayLike<number> {
    return this.readAll('retainedSizes', ordinals);
  }

  /** One reader per section, its cache reused by every call (a fresh one would be fresh pages again). */
  private reader(name: string): SectionReader {
    let r = this.readers.get(name);
    if (!r) this.readers.set(name, (r = new SectionReader(this.file, name)));
    return r;
  }

  /**
   * Elements of a section for many scattered indexes (an object's retainers, mostly in increasing order), through
   * a small reused cache of checked blocks rather than the data buffer's fresh pages.
   */
  private readAll(name: string, indexes: ArrayLike<number>): Float64Array {
    const reader = this.reader(name);
    const out = new Float64Array(indexes.length);
    for (let k = 0; k < indexes.length; k++) out[k] = reader.get(indexes[k]);
    return out;
  }
}

/** Positions in `targets` of the edges whose target has its bit set in `wanted` (and its low 16 bits' in `low`). */
function wantedAmong(targets: Uint32Array, low: Int32Array, wanted: Int32Array): number[] {
  const out: number[] = [];
  for (let k = 0, m = targets.length; k < m; k++) {
    const w = targets[k];
    if ((low[(w & 0xffff) >>> 5] >>> (w & 31)) & 1 && (wanted[w >>> 5] >>> (w & 31)) & 1) out.push(k);
  }
  return out;
}
