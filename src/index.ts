// The programmatic API of heapwatch (each part adds its exports here).

export type { ClassRow, HeapAnalysis } from './analysis/types.js';
export { HeapwatchError } from './errors.js';
export type { GcEvent, HeapSpace, Sample } from './live/types.js';
export { type ReadOptions, readSnapshot } from './snapshot/reader.js';
export { HeapSnapshot } from './snapshot/snapshot.js';
