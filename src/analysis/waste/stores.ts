import type { EarlyAnalysis } from '../types.js';
import { COLLECTION_CLASSES, type WasteCandidates } from './candidates.js';
import { KnownNames, lastInternalTarget } from './names.js';

const [MAP, SET, ARRAY] = COLLECTION_CLASSES.keys();
const NAMES = ['table', 'elements'];
const [TABLE, ELEMENTS] = NAMES.keys();

/**
 * Per collection candidate, its backing store (a Map's or Set's hash table, an Array's elements) or -1: found once
 * for both the empty and the oversized checks.
 */
export function collectionStores(a: EarlyAnalysis, c: WasteCandidates): Int32Array {
  const s = a.snapshot;
  const names = new KnownNames(s, NAMES);
  const { collections, collectionKind } = c;
  const stores = new Int32Array(collections.length).fill(-1);
  for (let k = 0; k < collections.length; k++) {
    const kind = collectionKind[k];
    if (kind === MAP || kind === SET) stores[k] = lastInternalTarget(s, names, collections[k], TABLE);
    else if (kind === ARRAY) stores[k] = lastInternalTarget(s, names, collections[k], ELEMENTS);
  }
  return stores;
}
