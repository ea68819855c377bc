import { formatBytes, formatCount } from '../../format.js';
import type { HeapAnalysis } from '../types.js';
import { COLLECTION_CLASSES, type WasteCandidates, wasteCandidates } from './candidates.js';
import { digitsValue, KnownNames, TopK } from './names.js';
import { collectionStores } from './stores.js';
import { WASTE_EXAMPLES, type WasteFinding } from './types.js';

/** Report a store from this much unused capacity on, and only when it is at least RATIO times its contents. */
const MIN_UNUSED = 4096;
const RATIO = 4;
// V8's FixedArray on 64-bit Node (no pointer compression): a 16-byte header (map, length), then 8-byte slots
const HEADER = 16;
const SLOT = 8;
// Map/Set tables (OrderedHashMap/Set): 3 header slots, then buckets, then capacity = 2 × buckets entries of
// 3 slots (key, value, chain) for a Map or 2 (key, chain) for a Set
const TABLE_HEADER_SLOTS = 3;

// kinds are positions in COLLECTION_CLASSES: Map, Set, Array, Object
const [MAP, SET, ARRAY] = COLLECTION_CLASSES.keys();
const NAMES = ['map'];
const [MAP_EDGE] = NAMES.keys();

export const OVERSIZED_RULE =
  'Array: its elements store holds (self size − 16) / 8 slots; the slots that are used are at least the ' +
  'references it holds (small integers, doubles, booleans, null and undefined are not in a snapshot, so arrays ' +
  'with no reference at all are not judged). Map/Set: the capacity follows from the table size (3 + 7 slots per ' +
  'two entries for a Map, 3 + 5 for a Set), the entries in use are the distinct entry slots holding a key or value ' +
  `that is a heap object. Reported when capacity ≥ ${RATIO}× the entries seen and ≥ ${formatBytes(MIN_UNUSED)} is unused. ` +
  'Bytes: the unused capacity.';

/** Arrays, Maps and Sets whose backing store (found by collectionStores) is far bigger than what it holds. */
export function oversizedCollections(
  a: HeapAnalysis,
  cands: WasteCandidates = wasteCandidates(a),
  stores: Int32Array = collectionStores(a, cands),
): WasteFinding[] {
  const s = a.snapshot;
  const names = new KnownNames(s, NAMES);
  const { firstEdge, edgeTypes, edgeNames } = s;
  const internal = s.edgeType.internal;
  const { collections, collectionKind } = cands;
  // the last store measured: its capacity and the entries or slots in use
  let capacity = 0;
  let used = 0;
  let storeSize = 0;
  /** The unused bytes of candidate k's store, or -1 when it is not an Array, Map or Set with a store worth judging. */
  const measure = (k: number): number => {
    const kind = collectionKind[k];
    if (kind !== MAP && kind !== SET && kind !== ARRAY) return -1;
    const store = stores[k];
    if (store < 0) return -1;
    storeSize = s.nodeSelfSize(store);
    const slots = (storeSize - HEADER) / SLOT;
    if (storeSize - HEADER < MIN_UNUSED) return -1;
    used = 0;
    if (kind === ARRAY) {
      capacity = slots;
      for (let e = firstEdge[store], end = firstEdge[store + 1]; e < end; e++) {
        if (!(edgeTypes[e] === internal && names.of(edgeNames[e]) === MAP_EDGE)) used++;
      }
      return (capacity - used) * SLOT;
    }
    const perEntry = kind === MAP ? 3 : 2;
    const buckets = (slots - TABLE_HEADER_SLOTS) / (1 + 2 * perEntry);
    if (!Number.isInteger(buckets)) return -1;
    capacity = 2 * buckets;
    const first = TABLE_HEADER_SLOTS + buckets;
    let last = -1;
    // entry slots come in order: count the entries that have a key or value edge (edge names are slot numbers)
    for (let e = firstEdge[store], end = firstEdge[store + 1]; e < end; e++) {
      if (edgeTypes[e] !== internal) continue;
      // a slot number is not `map`: only other names are looked up and decoded
      let slot = digitsValue(s.strings, edgeNames[e]);
      if (slot < 0) {
        if (names.of(edgeNames[e]) === MAP_EDGE) continue;
        slot = Number(s.strings.get(edgeNames[e]));
      }
      if (!(slot >= first)) continue;
      const entry = Math.floor((slot - first) / perEntry);
      if (entry !== last) used++;
      last = entry;
    }
    return (capacity - used) * perEntry * SLOT;
  };
  let count = 0;
  let bytes = 0;
  const top = new TopK(WASTE_EXAMPLES); // of candidate positions
  for (let k = 0; k < collections.length; k++) {
    const unused = measure(k);
    if (unused < MIN_UNUSED || used === 0 || capacity < RATIO * used) continue;
    count++;
    bytes += unused;
    top.offer(k, unused);
  }
  if (count === 0) return [];
  return [
    {
      kind: 'oversized-collections',
      title: `${formatCount(count)} arrays, Maps or Sets far bigger than their contents`,
      count,
      bytes,
      sizeKind: 'unused',
      rule: OVERSIZED_RULE,
      examples: top.nodes.map((k, i) => {
        measure(k);
        const node = collections[k];
        const what = collectionKind[k] === ARRAY ? 'slots' : 'entries';
        const detail = `capacity ${formatCount(capacity)} ${what}, ${formatCount(used)} in use (store ${formatBytes(storeSize)})`;
        return { node, bytes: top.sizes[i], detail };
      }),
    },
  ];
}
