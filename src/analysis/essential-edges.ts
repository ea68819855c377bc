import type { HeapSnapshot } from '../snapshot/snapshot.js';
import type { StringTable } from '../snapshot/string-table.js';
import { prefaulted } from './prefault.js';

// An internal edge from a WeakMap's table to a value is named like
// "12 / part of key (Object @34) -> value (Object @56) pair in WeakMap (table @78)".
const EPHEMERON_NAME = /^\d+ \/ part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(\d+)\)$/;
/** The shortest name EPHEMERON_NAME matches: no string with fewer bytes is one. */
export const SHORTEST_EPHEMERON_NAME = '0 / part of key ( @0) -> value ( @0) pair in WeakMap (table @0)';

// per-string state: 0 = not looked at yet
const NOT_EPHEMERON = 1;
const EPHEMERON = 2;

/** Which edge names are WeakMap ephemeron names, and of which table. */
export interface EphemeronLookup {
  /** NOT_EPHEMERON (1) once a name is known not to be one (hot loops test this before calling tableIdOf). */
  readonly verdicts: Uint8Array;
  /** The WeakMap table's node id for an ephemeron edge name, else -1. */
  tableIdOf(nameIndex: number): number;
}

/**
 * Reads WeakMap ephemeron edge names, caching the verdict per string index (names repeat across many edges).
 * `tableIdOf(nameIndex)` is the WeakMap table's node id, or -1 when the name is not an ephemeron edge name.
 */
export class EphemeronNames implements EphemeronLookup {
  private readonly state: Uint8Array;
  private tableIds: Float64Array | null = null;
  constructor(private readonly strings: StringTable) {
    this.state = prefaulted(new Uint8Array(strings.length));
  }
  get verdicts(): Uint8Array {
    return this.state;
  }
  tableIdOf(nameIndex: number): number {
    const st = this.state[nameIndex];
    if (st === NOT_EPHEMERON) return -1;
    if (st === EPHEMERON) return this.tableIds![nameIndex];
    // most names are ruled out by their length or first character (a digit), without decoding them
    const strings = this.strings;
    const long = nameIndex < strings.length && strings.byteLength(nameIndex) >= SHORTEST_EPHEMERON_NAME.length;
    const c = long ? strings.charCodeAt(nameIndex, 0) : -1;
    const m = c >= 48 && c <= 57 ? EPHEMERON_NAME.exec(strings.get(nameIndex)) : null;
    if (!m) {
      this.state[nameIndex] = NOT_EPHEMERON;
      return -1;
    }
    this.tableIds ??= new Float64Array(this.strings.length);
    this.tableIds[nameIndex] = Number(m[1]);
    this.state[nameIndex] = EPHEMERON;
    return this.tableIds[nameIndex];
  }
}

/** Every ephemeron edge name of a strings table: [string index, table id] pairs (for a worker thread). */
export function ephemeronTable(strings: StringTable): Float64Array {
  const names = new EphemeronNames(strings);
  const pairs: number[] = [];
  for (let i = 0; i < strings.length; i++) {
    const id = names.tableIdOf(i);
    if (id >= 0) pairs.push(i, id);
  }
  return Float64Array.from(pairs);
}

/** An EphemeronLookup from ephemeronTable's pairs. */
export class EphemeronPairs implements EphemeronLookup {
  readonly verdicts: Uint8Array;
  private readonly ids = new Map<number, number>();
  constructor(pairs: Float64Array, stringCount: number) {
    this.verdicts = new Uint8Array(stringCount).fill(NOT_EPHEMERON);
    for (let k = 0; k < pairs.length; k += 2) {
      this.verdicts[pairs[k]] = EPHEMERON;
      this.ids.set(pairs[k], pairs[k + 1]);
    }
  }
  tableIdOf(nameIndex: number): number {
    return this.ids.get(nameIndex) ?? -1;
  }
}

/**
 * Does an edge count for dominators (DevTools' rule)? Not essential are: the WeakMap table→value internal edge
 * (the key's edge is kept), weak edges, self edges, and — from any node but the root — shortcut edges and
 * edges from a non-page-owned node into a page-owned one.
 */
export class EssentialRule {
  private readonly edgeNames: Uint32Array;
  private readonly edgeTypes: Uint8Array;
  private readonly nodes: Uint32Array;
  private readonly nf: number;
  private readonly idOff: number;
  private readonly internal: number;
  private readonly weak: number;
  private readonly shortcut: number;
  private readonly root: number;
  private readonly verdicts: Uint8Array;
  constructor(
    s: HeapSnapshot,
    /** The page-owned flags as a bit per node (pageOwnedBits). */
    private readonly owned: Uint32Array,
    private readonly names: EphemeronLookup = new EphemeronNames(s.strings),
  ) {
    this.edgeNames = s.edgeNames;
    this.edgeTypes = s.edgeTypes;
    this.nodes = s.nodes;
    this.nf = s.nodeFieldCount;
    this.idOff = s.nodeIdOffset;
    this.internal = s.edgeType.internal;
    this.weak = s.edgeType.weak;
    this.shortcut = s.edgeType.shortcut;
    this.root = s.rootOrdinal;
    this.verdicts = names.verdicts;
  }

  /** Whether edge e, from node v to node w (its target), counts. */
  counts(v: number, e: number, w: number): boolean {
    const t = this.edgeTypes[e];
    if (t === this.weak || w === v) return false;
    if (t === this.internal) {
      const name = this.edgeNames[e];
      if (this.verdicts[name] !== NOT_EPHEMERON && this.names.tableIdOf(name) === this.nodes[v * this.nf + this.idOff])
        return false;
    }
    if (v === this.root) return true;
    if (t === this.shortcut) return false;
    const owned = this.owned;
    return (owned[w >>> 5] & (1 << (w & 31))) === 0 || (owned[v >>> 5] & (1 << (v & 31))) !== 0;
  }
}
