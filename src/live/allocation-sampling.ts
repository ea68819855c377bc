import { HeapwatchError, runtimeError } from '../errors.js';
import type { SamplingProfileAnswer, SamplingStarted } from '../guard/socket-protocol.cjs';
import type { HeapProfile, ProfileNode, ProfileSample } from '../sample/profile.js';
import type { GuardClient } from './guard-socket.js';
import type { Session } from './session.js';

/**
 * V8's sampling heap profiler running in a live target, for as long as the caller keeps it: the live-allocation
 * profile on demand, stopped by stop() or by detaching. V8 has one such profiler per process: when one already
 * runs (the guard's HEAPWATCH_SAMPLE, DevTools, another heapwatch), it is read and left running (`shared`).
 */
/** What a sampling is for: also collected objects (churn); with every sample (its count per site), not only bytes. */
export interface AllocationSamplingOptions {
  includeCollected?: boolean;
  /** Over the guard's socket the samples cost bytes on the wire: only the profiles that count them ask. */
  samples?: boolean;
}

export interface AllocationSampling {
  readonly shared: boolean;
  /** Also counts objects the GC collected since sampling started (allocation churn), as asked. */
  readonly includeCollected: boolean;
  profile(): Promise<HeapProfile>;
  /** Stops V8's sampling if this started it. Safe to call twice. */
  stop(): Promise<void>;
}

/** Over the inspector: HeapProfiler.startSampling; the session's detach stops it whatever happens. */
export async function inspectorAllocationSampling(
  session: Session,
  intervalBytes: number,
  { includeCollected = false }: AllocationSamplingOptions = {},
): Promise<AllocationSampling> {
  const read = async (): Promise<HeapProfile> =>
    (await session.send<{ profile: HeapProfile }>('HeapProfiler.getSamplingProfile', undefined, { timeoutMs: 60_000 }))
      .profile;
  const shared = await read().then(
    () => true,
    (err) => {
      if (err instanceof HeapwatchError && /not started/i.test(err.message)) return false;
      throw err;
    },
  );
  let sampling = false;
  const stop = async (): Promise<void> => {
    if (!sampling || !session.connected) return;
    sampling = false;
    await session.send('HeapProfiler.stopSampling', undefined, { timeoutMs: 60_000 });
  };
  if (!shared) {
    session.onDetach(stop);
    await session.send('HeapProfiler.startSampling', {
      samplingInterval: intervalBytes,
      includeObjectsCollectedByMajorGC: includeCollected,
      includeObjectsCollectedByMinorGC: includeCollected,
    });
    sampling = true;
  }
  return { shared, includeCollected, profile: read, stop };
}

/** Over the guard's socket: the guard samples in-process and stops when asked or when the connection ends. */
export async function socketAllocationSampling(
  client: GuardClient,
  intervalBytes: number,
  { includeCollected = false, samples = false }: AllocationSamplingOptions = {},
): Promise<AllocationSampling> {
  const started = await client.request<Partial<SamplingStarted>>('start-sampling', {
    interval: intervalBytes,
    ...(includeCollected ? { collected: true } : {}),
  });
  if (includeCollected && started.collected !== true) {
    // a guard from before the option: it samples live memory only, which is not what was asked
    await client.request('stop-sampling', {}, 60_000).catch(() => {});
    throw runtimeError(
      `the guard in process ${client.pid} is from a heapwatch that cannot count collected objects over its socket: use --inspector`,
      'UNSUPPORTED',
    );
  }
  let sampling = true;
  return {
    shared: started.shared === true,
    includeCollected,
    async profile() {
      const answer = await client.request<SamplingProfileAnswer<ProfileNode>>(
        'sampling-profile',
        samples ? { samples: true } : {},
        60_000,
      );
      // without `samples` (or from an older guard) the samples are left out: the tree carries the bytes
      const flat = answer.samples ?? [];
      const list: ProfileSample[] = new Array(flat.length / 3);
      for (let i = 0; i < list.length; i++) {
        list[i] = { size: flat[i * 3], nodeId: flat[i * 3 + 1], ordinal: flat[i * 3 + 2] };
      }
      return { head: answer.head, samples: list };
    },
    async stop() {
      if (!sampling) return;
      sampling = false;
      await client.request('stop-sampling', {}, 60_000);
    },
  };
}
