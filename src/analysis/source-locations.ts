import { type HeapSnapshot, lowerBound } from '../snapshot/snapshot.js';
import { locationIndex, locationLayout, locationsInNodeOrder } from './classes.js';
import { scriptNameOf } from './node-names.js';

/** Where a function is defined: its script's URL (null when the snapshot does not name it), 1-based line and column. */
export interface SourceLocation {
  url: string | null;
  line: number;
  column: number;
}

/**
 * Finds a closure's record in the `locations` section: binary search when V8 wrote them in node order, else an
 * index of the closures' records.
 */
interface LocationFinder {
  recordOf(o: number): number;
}

const finders = new WeakMap<HeapSnapshot, LocationFinder>();

function finderFor(s: HeapSnapshot): LocationFinder {
  let f = finders.get(s);
  if (!f) finders.set(s, (f = makeFinder(s)));
  return f;
}

/**
 * Tells closureRecordOf the record of some closures, found beforehand (the last record naming each, -1 for none):
 * a saved analysis read on demand finds a few closures' records in one pass instead of indexing them all.
 * Any other node is looked up as usual.
 */
export function knownClosureRecords(s: HeapSnapshot, known: ReadonlyMap<number, number>): void {
  let rest: LocationFinder | null = null;
  finders.set(s, { recordOf: (o) => known.get(o) ?? (rest ??= makeFinder(s)).recordOf(o) });
}

function makeFinder(s: HeapSnapshot): LocationFinder {
  let f: LocationFinder;
  const L = locationLayout(s);
  const locs = s.locations;
  const count = L.node < 0 ? 0 : Math.floor(locs.length / L.size);
  if (count === 0) f = { recordOf: () => -1 };
  else if (locationsInNodeOrder(s, L)) {
    f = {
      recordOf(o) {
        // the last record of o wins, as in DevTools' location map
        let lo = 0;
        let hi = count;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (locs[mid * L.size + L.node] <= o) lo = mid + 1;
          else hi = mid;
        }
        return lo > 0 && locs[(lo - 1) * L.size + L.node] === o ? (lo - 1) * L.size : -1;
      },
    };
  } else {
    let index: ClosureIndex | null = null;
    let full: Int32Array | null | undefined;
    f = {
      recordOf(o) {
        index ??= new ClosureIndex(s, L);
        if (index.keys !== null) return index.recordOf(o);
        full ??= locationIndex(s, L); // more closure records than the keys can number: an index of every node
        return full ? full[o] : -1;
      },
    };
  }
  return f;
}

/** Ranks of closure records a key can hold beside the closure's ordinal, exactly, in a double. */
const RANKS = 2 ** 21;

/**
 * The closures' location records in closure order, for snapshots whose records are not in node order: keys
 * (closure ordinal × RANKS + the record's rank among the closures' records, sorted) and the records' starts,
 * 12 bytes per closure instead of an index of every node (32 MB at 8 M nodes). Keys null: too many to rank.
 */
class ClosureIndex {
  readonly keys: Float64Array | null = null;
  private readonly starts: Uint32Array = new Uint32Array(0);
  constructor(s: HeapSnapshot, L: ReturnType<typeof locationLayout>) {
    const locs = s.locations;
    const closure = s.nodeType.closure;
    const n = s.nodeCount;
    // a plain view of the types: the records name nodes all over the heap, so where the types are read from a saved
    // analysis on demand (a block per element asked for), they are read once, whole, instead
    const types = s.nodeTypes.subarray(0);
    // one pass over the records (the closures' among them are a fraction): their starts, then their keys
    const starts = new Uint32Array(Math.floor(locs.length / L.size));
    let count = 0;
    for (let i = 0; i + L.size <= locs.length; i += L.size) {
      const o = locs[i + L.node];
      if (o < n && types[o] === closure) starts[count++] = i;
    }
    if (count >= RANKS) return;
    const keys = new Float64Array(count);
    for (let k = 0; k < count; k++) keys[k] = locs[starts[k] + L.node] * RANKS + k;
    this.starts = starts.slice(0, count);
    this.keys = keys.sort();
  }
  /** Closure o's last record (the highest rank), or -1. */
  recordOf(o: number): number {
    const keys = this.keys!;
    const lo = lowerBound(keys, (o + 1) * RANKS);
    if (lo === 0 || keys[lo - 1] < o * RANKS) return -1;
    return this.starts[keys[lo - 1] - o * RANKS];
  }
}

/**
 * Start (into s.locations) of closure o's location record (the last one, as DevTools takes it), or -1; for
 * closures only. Without node order, the first call builds an index of the closures' records.
 */
export function closureRecordOf(s: HeapSnapshot, o: number): number {
  return finderFor(s).recordOf(o);
}

/** Makes closureRecordOf's index now (analyze: before the histogram's walk, not in the suspects' tail). */
export function prepareClosureRecords(s: HeapSnapshot): void {
  if (s.nodeCount > 0) finderFor(s).recordOf(s.rootOrdinal);
}

/**
 * Where a closure's function is defined, from the snapshot's `locations` section (V8 records the start of the
 * function, 0-based) and the name of the script its SharedFunctionInfo points to. Null for other nodes and for
 * snapshots without that section.
 */
export function functionLocation(s: HeapSnapshot, o: number): SourceLocation | null {
  if (s.nodeTypeOf(o) !== s.nodeType.closure) return null;
  const at = closureRecordOf(s, o);
  if (at < 0) return null;
  const L = locationLayout(s);
  if (L.line < 0 || L.col < 0) return null;
  const url = scriptNameOf(s, o);
  return { url: url === '' ? null : url, line: s.locations[at + L.line] + 1, column: s.locations[at + L.col] + 1 };
}

/** `listeners.cjs:13:46`: the file's name (not its folder), line and column; `<script>:13:46` when unnamed. */
export function locationText(l: SourceLocation): string {
  const url = l.url ?? '';
  const file = url.slice(url.lastIndexOf('/') + 1) || '<script>';
  return `${file}:${l.line}:${l.column}`;
}

/**
 * Where each class's constructor is defined, per class id (null when unknown). V8 gives an object the location of
 * its constructor, and classes of objects are split by that location, so any instance with a record names its
 * class's. A record holds a script id, not a name: the name comes from a closure of the same script.
 */
export function classLocations(s: HeapSnapshot, classOf: Uint32Array, classCount: number): (SourceLocation | null)[] {
  const out: (SourceLocation | null)[] = new Array(classCount).fill(null);
  const L = locationLayout(s);
  const locs = s.locations;
  if (L.node < 0 || L.script < 0 || L.line < 0 || L.col < 0) return out;
  const T = s.nodeType;
  const scriptUrls = new Map<number, string>(); // one entry per script: a few thousand at most
  const wanted: number[] = []; // record starts of the first located object of each class
  const seen = new Uint8Array(classCount);
  for (let i = 0; i + L.size <= locs.length; i += L.size) {
    const o = locs[i + L.node];
    if (o >= s.nodeCount) continue;
    const t = s.nodeTypeOf(o);
    if (t === T.closure) {
      const script = locs[i + L.script];
      if (!scriptUrls.has(script)) {
        const url = scriptNameOf(s, o);
        if (url !== '') scriptUrls.set(script, url);
      }
    } else if (t === T.object && seen[classOf[o]] === 0) {
      seen[classOf[o]] = 1;
      wanted.push(i);
    }
  }
  for (const i of wanted) {
    out[classOf[locs[i + L.node]]] = {
      url: scriptUrls.get(locs[i + L.script]) ?? null,
      line: locs[i + L.line] + 1,
      column: locs[i + L.col] + 1,
    };
  }
  return out;
}
