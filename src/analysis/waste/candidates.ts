import type { EarlyAnalysis } from '../types.js';
import { classKinds } from './names.js';

/** Strings from this size on are the repeated-slice check's candidates. */
export const MIN_REPEATED_SIZE = 32 * 1024;

/** The collection classes the empty and oversized checks judge, in this order (see collectionKind). */
export const COLLECTION_CLASSES = ['Map', 'Set', 'Array', 'Object'] as const;

/**
 * The nodes each waste check looks at, found in one pass over the node arrays (the checks then walk these short
 * lists instead of every node each): node ordinals in snapshot order, as typed arrays.
 */
export interface WasteCandidates {
  /** Objects whose class is Map, Set, Array or Object; collectionKind[k] is the position in COLLECTION_CLASSES. */
  collections: Uint32Array;
  collectionKind: Uint8Array;
  /** Strings of MIN_REPEATED_SIZE bytes or more. */
  bigStrings: Uint32Array;
  closures: Uint32Array;
  /** The classes sampled, and per class sampledClasses[i] its first `perClass` object instances at i*perClass. */
  sampledClasses: number[];
  samples: Int32Array;
  sampleCount: Uint32Array;
}

/** A growable list of node ordinals. */
class OrdinalList {
  private list = new Uint32Array(1024);
  length = 0;
  push(o: number): void {
    if (this.length === this.list.length) {
      const grown = new Uint32Array(this.list.length * 2);
      grown.set(this.list);
      this.list = grown;
    }
    this.list[this.length++] = o;
  }
  done(): Uint32Array {
    return this.list.slice(0, this.length);
  }
}

/** One pass over all nodes for every waste check, sampling the first `perClass` instances of `sampledClasses`. */
export function wasteCandidates(a: EarlyAnalysis, sampledClasses: number[] = [], perClass = 0): WasteCandidates {
  const s = a.snapshot;
  const { nodeTypes, nodes, nodeFieldCount: nf } = s;
  const sizeOff = s.nodeSelfSizeOffset;
  const { classOf } = a;
  // a string's shown size is its own plus what folds into it (never less): tested first, in 32 MB, not 192
  const shown = a.selfSizes;
  const objectType = s.nodeType.object;
  const stringType = s.nodeType.string;
  const closureType = s.nodeType.closure;
  const kindOf = classKinds(a.classNames, COLLECTION_CLASSES);
  const collections = new OrdinalList();
  const kinds = new OrdinalList();
  const bigStrings = new OrdinalList();
  const closures = new OrdinalList();
  const sampleSlot = new Int32Array(a.classNames.length).fill(-1);
  sampledClasses.forEach((c, i) => {
    sampleSlot[c] = i;
  });
  const slots = sampledClasses.length;
  const samples = new Int32Array(slots * perClass).fill(-1);
  const sampleCount = new Uint32Array(slots);
  for (let o = 0, n = s.nodeCount; o < n; o++) {
    const t = nodeTypes[o];
    if (t === objectType) {
      const c = classOf[o];
      const kind = kindOf[c];
      if (kind >= 0) {
        collections.push(o);
        kinds.push(kind);
      }
      const slot = sampleSlot[c];
      if (slot >= 0 && sampleCount[slot] < perClass) samples[slot * perClass + sampleCount[slot]++] = o;
    } else if (t === closureType) {
      closures.push(o);
    } else if (t === stringType && shown[o] >= MIN_REPEATED_SIZE && nodes[o * nf + sizeOff] >= MIN_REPEATED_SIZE) {
      bigStrings.push(o);
    }
  }
  return {
    collections: collections.done(),
    collectionKind: Uint8Array.from(kinds.done()),
    bigStrings: bigStrings.done(),
    closures: closures.done(),
    sampledClasses,
    samples,
    sampleCount,
  };
}
