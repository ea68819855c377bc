import { formatCount } from '../../format.js';
import type { HeapSnapshot } from '../../snapshot/snapshot.js';
import type { HeapAnalysis } from '../types.js';
import { COLLECTION_CLASSES, type WasteCandidates, wasteCandidates } from './candidates.js';
import { HeavyHitters, KnownNames } from './names.js';
import { collectionStores } from './stores.js';
import { WASTE_EXAMPLES, type WasteFinding } from './types.js';

/** Fewer empty containers of a kind than this are not worth a line. */
const MIN_EMPTY = 100;

// kinds are positions in COLLECTION_CLASSES: Map, Set, Array, Object
const [MAP, SET, ARRAY] = COLLECTION_CLASSES.keys();
const NAMES = ['properties', 'map', '(object properties)', '__proto__'];
const [PROPERTIES, MAP_EDGE, DICTIONARY, PROTO] = NAMES.keys();
const KINDS = ['Map objects', 'Set objects', 'Array objects', 'objects used as maps (dictionary mode)'];

const DETAILS = ['empty Map', 'empty Set', 'empty Array', 'no own property left'];

export const EMPTY_RULE =
  'Map/Set: its hash table has no key or value that is a heap object and is at its smallest capacity (4 entries; ' +
  'small integers, booleans, null and undefined are not in a snapshot, so a table holding only those reads as empty). ' +
  'Array: no elements store (V8 points an empty array at the shared empty store, which the snapshot leaves out). ' +
  'Object used as a map: dictionary-mode properties and no own property left. Bytes: shallow size as DevTools shows ' +
  'it, the table or dictionary owned by the container included.';

/**
 * Empty Maps, Sets, Arrays and emptied dictionary-mode objects, per kind when there are at least MIN_EMPTY, among the
 * collection candidates (their stores found by collectionStores).
 */
export function emptyCollections(
  a: HeapAnalysis,
  minCount = MIN_EMPTY,
  cands: WasteCandidates = wasteCandidates(a),
  stores: Int32Array = collectionStores(a, cands),
  empties: Uint32Array = emptyOnes(a.snapshot, cands, stores),
): WasteFinding[] {
  const count = [0, 0, 0, 0];
  const bytes = [0, 0, 0, 0];
  const examples: number[][] = [[], [], [], []];
  // examples from the object that holds the most of them (by immediate dominator): where the waste accumulates
  const holders = [0, 1, 2, 3].map(() => new HeavyHitters(8, WASTE_EXAMPLES));
  const { collections, collectionKind } = cands;
  for (const k of empties) {
    const o = collections[k];
    const kind = collectionKind[k];
    count[kind]++;
    bytes[kind] += a.selfSizes[o];
    if (examples[kind].length < WASTE_EXAMPLES) examples[kind].push(o);
    holders[kind].offer(a.dominators[o], o);
  }
  const out: WasteFinding[] = [];
  for (let k = 0; k < KINDS.length; k++) {
    if (count[k] < minCount || count[k] === 0) continue;
    const shown = [...new Set([...holders[k].topExamples(), ...examples[k]])].slice(0, WASTE_EXAMPLES);
    out.push({
      kind: 'empty-collections',
      title: `${formatCount(count[k])} empty ${KINDS[k]}`,
      count: count[k],
      bytes: bytes[k],
      sizeKind: 'shallow',
      rule: EMPTY_RULE,
      examples: shown.map((node) => ({ node, bytes: a.selfSizes[node], detail: DETAILS[k] })),
    });
  }
  return out.sort((x, y) => y.bytes - x.bytes);
}

/**
 * The positions (in cands.collections) of the empty collections, in order. A function of its own, appending without
 * a branch and with no step that only rare candidates take: its loop over every candidate is compiled once (on-stack,
 * while it runs), and a step that first ran after that compile cost a deoptimization and a second 50-115 ms compile.
 */
export function emptyOnes(s: HeapSnapshot, cands: WasteCandidates, stores: Int32Array): Uint32Array {
  const names = new KnownNames(s, NAMES);
  const { firstEdge, edgeTypes, edgeNames, edgeTargets } = s;
  const internal = s.edgeType.internal;
  const property = s.edgeType.property;
  // the smallest table a Map or Set can have: 3 header slots, 2 buckets, 4 entries
  const smallestTable = [16 + 8 * (3 + 2 + 4 * 3), 16 + 8 * (3 + 2 + 4 * 2)];
  const { collections, collectionKind } = cands;
  const found = new Uint32Array(collections.length);
  let m = 0;
  for (let k = 0; k < collections.length; k++) {
    const o = collections[k];
    const kind = collectionKind[k];
    let empty = false;
    if (kind === MAP || kind === SET) {
      const table = stores[k];
      if (table >= 0) {
        // empty when at its smallest and every edge is the table's map; every table's edges are looked at (up to
        // the first that is not the map), so that these steps run before the loop is compiled, not first after
        const smallest = s.nodeSelfSize(table) === smallestTable[kind === MAP ? 0 : 1];
        let others = 0;
        for (let e = firstEdge[table], end = firstEdge[table + 1]; e < end && others === 0; e++) {
          others += edgeTypes[e] === internal && names.of(edgeNames[e]) === MAP_EDGE ? 0 : 1;
        }
        empty = smallest && others === 0;
      }
    } else if (kind === ARRAY) {
      empty = stores[k] < 0;
    } else {
      let own = false;
      let dictionary = false;
      for (let e = firstEdge[o], end = firstEdge[o + 1]; e < end; e++) {
        const t = edgeTypes[e];
        if (t === property && names.of(edgeNames[e]) !== PROTO) own = true;
        else if (t === internal && names.of(edgeNames[e]) === PROPERTIES) {
          dictionary = names.ofNode(edgeTargets[e]) === DICTIONARY;
        } else if (t !== internal && t !== property) own = true; // elements or hidden fields: not empty
      }
      empty = dictionary && !own;
    }
    found[m] = k;
    m += empty ? 1 : 0;
  }
  return found.subarray(0, m);
}
