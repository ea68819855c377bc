// V8's sampling heap profile as the inspector returns it (HeapProfiler.SamplingHeapProfile) and as Chrome DevTools
// saves and loads it (.heapprofile): a call tree whose nodes carry the estimated bytes allocated there, and the
// samples (one per sampled object, with its real size). Lines and columns are 0-based and name where the
// function starts, not the allocating statement: V8 records the function of each frame, never a position in it.

export interface CallFrame {
  functionName: string;
  scriptId: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

export interface ProfileNode {
  callFrame: CallFrame;
  /** Estimated bytes of the sampled objects allocated in this frame (scaled up from the samples by V8). */
  selfSize: number;
  id: number;
  children: ProfileNode[];
}

export interface ProfileSample {
  /** The sampled object's own size in bytes. */
  size: number;
  nodeId: number;
  ordinal: number;
}

/** What heapwatch adds to a profile it writes (DevTools ignores the key), so `--from` gives the same report. */
export interface ProfileMeta {
  target: string | null;
  durationMs: number | null;
  intervalBytes: number | null;
  includeCollected: boolean;
  targetExited: boolean;
}

export interface HeapProfile {
  head: ProfileNode;
  samples: ProfileSample[];
  heapwatch?: ProfileMeta;
}

/** V8's default sampling interval (HeapProfiler.startSampling's samplingInterval). */
export const DEFAULT_INTERVAL_BYTES = 32 * 1024;
