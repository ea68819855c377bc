// The programmatic API of heapwatch (each part adds its exports here).

export { type ClassDelta, classDiff, type LeakGroup, leakedGroups, sortedIds } from './analysis/diff.js';
export { classHistogram, type HistogramSort } from './analysis/histogram.js';
export { type AnalyzeOptions, analyzeSnapshot, analyzeSnapshotParallel, nodeName } from './analysis/index.js';
export { nameSteps, pathText } from './analysis/path-names.js';
export { computeRootPaths, type PathStep, shortestPaths } from './analysis/paths.js';
export { functionLocation, locationText, type SourceLocation } from './analysis/source-locations.js';
export { type DuplicateString, duplicateStrings } from './analysis/strings.js';
export { findSuspects, type Suspect, type SuspectOptions } from './analysis/suspects.js';
export type { ClassRow, HeapAnalysis, Retainers } from './analysis/types.js';
export { type AnalyzeFileOptions, analyzeFile } from './analyze-file.js';
export { type BaselinePoint, type Forecast, forecastBaseline } from './dashboard/forecast.js';
export { DashboardModel, type ModelPoint } from './dashboard/model.js';
export { HeapwatchError } from './errors.js';
export * from './live/index.js';
export type { GcEvent, HeapSpace, Sample } from './live/types.js';
export * from './sample/index.js';
export { type ReadOptions, readSnapshot } from './snapshot/reader.js';
export { HeapSnapshot } from './snapshot/snapshot.js';
