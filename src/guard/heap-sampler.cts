// HEAPWATCH_SAMPLE=1: V8's sampling heap profiler, run in-process through node:inspector's Session (an
// in-process session opens no port and reaches no other process). Its profile holds the allocation sites of the
// sampled objects still alive: the cheapest evidence of a leak, and one that survives a snapshot that kills us.
import { Session } from 'node:inspector';

export interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  selfSize: number;
  id: number;
  children: ProfileNode[];
}

export interface SamplingProfile {
  head: ProfileNode;
  samples?: { size: number; nodeId: number; ordinal: number }[];
}

export interface AllocationSite {
  /** `functionName file:line:column` (1-based line and column, as editors show them). */
  site: string;
  /** Live bytes the samples attribute to this site (self size, summed over its call stacks). */
  bytes: number;
}

export interface HeapSampler {
  /** The live-allocation profile now (synchronous: an in-process session answers within the call). */
  profile(): SamplingProfile;
  stop(): void;
}

/** Posts one inspector command and returns its answer; in-process sessions call back before post returns. */
function postSync<T>(session: Session, method: string, params?: object): T {
  let answer: { err: Error | null; result?: T } | undefined;
  session.post(method, params ?? {}, (err, result) => {
    answer = { err, result: result as T };
  });
  if (!answer) throw new Error(`${method}: no synchronous answer from the in-process inspector session`);
  if (answer.err) throw answer.err;
  return answer.result as T;
}

export function startHeapSampler(samplingInterval: number): HeapSampler {
  const session = new Session();
  session.connect();
  try {
    postSync(session, 'HeapProfiler.startSampling', { samplingInterval });
  } catch (err) {
    session.disconnect();
    throw err;
  }
  return {
    profile: () => postSync<{ profile: SamplingProfile }>(session, 'HeapProfiler.getSamplingProfile').profile,
    stop: () => {
      try {
        postSync(session, 'HeapProfiler.stopSampling');
      } finally {
        session.disconnect();
      }
    },
  };
}

/**
 * A sampler for a client of the guard's socket. V8 has one sampling profiler per process, and a second
 * startSampling would be ignored while a stopSampling stops everyone's: when it already runs (HEAPWATCH_SAMPLE,
 * DevTools), the sampler reads that profile and its stop() leaves it running (`shared`). `includeCollected` also
 * keeps what the GC collected since (allocation churn); a shared profiler keeps what its starter asked for.
 */
export function openHeapSampler(
  samplingInterval: number,
  includeCollected = false,
): { sampler: HeapSampler; shared: boolean } {
  const session = new Session();
  session.connect();
  let shared = true;
  try {
    try {
      postSync(session, 'HeapProfiler.getSamplingProfile'); // answers only while someone samples
    } catch {
      shared = false;
    }
    if (!shared) {
      postSync(session, 'HeapProfiler.startSampling', {
        samplingInterval,
        includeObjectsCollectedByMajorGC: includeCollected,
        includeObjectsCollectedByMinorGC: includeCollected,
      });
    }
  } catch (err) {
    session.disconnect();
    throw err;
  }
  return {
    shared,
    sampler: {
      profile: () => postSync<{ profile: SamplingProfile }>(session, 'HeapProfiler.getSamplingProfile').profile,
      stop: () => {
        try {
          if (!shared) postSync(session, 'HeapProfiler.stopSampling');
        } finally {
          session.disconnect();
        }
      },
    },
  };
}

function siteOf(node: ProfileNode): string {
  const f = node.callFrame;
  const name = f.functionName || '(anonymous)';
  if (!f.url) return name;
  return `${name} ${f.url}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
}

/** A frame of the application's own code (not Node's internals, not a native or anonymous frame). */
function isAppFrame(node: ProfileNode): boolean {
  const url = node.callFrame.url;
  return url !== '' && !url.startsWith('node:');
}

/**
 * The `count` sites holding the most sampled live bytes. A sample is charged to the innermost frame of the
 * application's own code on its stack (Buffer.alloc's internals are charged to the line that called it), or to
 * its own frame when the stack has none.
 */
export function topAllocationSites(profile: SamplingProfile, count: number): AllocationSite[] {
  const bytes = new Map<string, number>();
  const stack: { node: ProfileNode; app: ProfileNode | null }[] = [{ node: profile.head, app: null }];
  while (stack.length > 0) {
    const { node, app: outer } = stack.pop()!;
    const app = isAppFrame(node) ? node : outer;
    if (node.selfSize > 0) {
      const site = siteOf(app ?? node);
      bytes.set(site, (bytes.get(site) ?? 0) + node.selfSize);
    }
    for (const child of node.children) stack.push({ node: child, app });
  }
  return [...bytes]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, count)
    .map(([site, b]) => ({ site, bytes: b }));
}
