// The live half of heapwatch's programmatic API: attach, sample, dump, detach.

export {
  collectGarbage,
  type DumpOptions,
  type DumpProgress,
  type DumpResult as LiveDumpResult,
  defaultDumpName,
  dumpHeap,
  heapUsed,
} from './capture.js';
export { formatGcHeader, formatGcRow, GcCounters, type GcRow, gcRowJson } from './gc-table.js';
export { describeHeadroom, type Headroom, measureHeadroom } from './headroom.js';
export { type InspectorLocation, locate, parseTarget, type TargetSpec } from './locate.js';
export { listNodeProcesses, type NodeProcessInfo } from './ps.js';
export { type Sampler, spaceGroup, startSampler } from './sampler.js';
export { type AttachOptions, attach, detachOnSignals, type Session, withSession } from './session.js';
export { withLiveSnapshot } from './temp-dump.js';
