/** One sample of a live Node process, as read by live/sampler.ts with one Runtime.evaluate. */
export interface HeapSpace {
  /** V8's own name, e.g. new_space, old_space, code_space, large_object_space, trusted_space. */
  name: string;
  /** young | old | code | other: where heapwatch groups it (unknown names go to old). */
  group: 'young' | 'old' | 'code' | 'other';
  size: number;
  used: number;
  available: number;
  physical: number;
}

export interface GcEvent {
  /** minor | major | incremental | weakcb (from PerformanceObserver 'gc' entry kind). */
  kind: 'minor' | 'major' | 'incremental' | 'weakcb';
  /** Wall-clock time the GC started, ms since epoch. */
  startTime: number;
  durationMs: number;
  flags: number;
  /** Old generation used (bytes) as seen right after this GC, when known. */
  oldUsedAfter?: number;
}

export interface Sample {
  /** ms since epoch. */
  time: number;
  pid: number;
  /** process.uptime() of the target, seconds (added for `gc -t`; optional so older producers stay valid). */
  uptimeSeconds?: number;
  spaces: HeapSpace[];
  heap: {
    totalHeapSize: number;
    usedHeapSize: number;
    heapSizeLimit: number;
    totalAvailableSize: number;
    mallocedMemory: number;
    externalMemory: number;
  };
  memory: { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
  /** GC events that happened since the previous sample. */
  gcEvents: GcEvent[];
}
