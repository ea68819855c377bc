import { HeapwatchError } from '../errors.js';
import type { HeapProfile } from '../sample/profile.js';
import type { GuardClient } from './guard-socket.js';
import type { Session } from './session.js';

/**
 * V8's sampling heap profiler running in a live target, for as long as the caller keeps it: the live-allocation
 * profile on demand, stopped by stop() or by detaching. V8 has one such profiler per process: when one already
 * runs (the guard's HEAPWATCH_SAMPLE, DevTools, another heapwatch), it is read and left running (`shared`).
 */
export interface AllocationSampling {
  readonly shared: boolean;
  profile(): Promise<HeapProfile>;
  /** Stops V8's sampling if this started it. Safe to call twice. */
  stop(): Promise<void>;
}

/** Over the inspector: HeapProfiler.startSampling; the session's detach stops it whatever happens. */
export async function inspectorAllocationSampling(
  session: Session,
  intervalBytes: number,
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
    await session.send('HeapProfiler.startSampling', { samplingInterval: intervalBytes });
    sampling = true;
  }
  return { shared, profile: read, stop };
}

/** Over the guard's socket: the guard samples in-process and stops when asked or when the connection ends. */
export async function socketAllocationSampling(
  client: GuardClient,
  intervalBytes: number,
): Promise<AllocationSampling> {
  const { shared } = await client.request<{ shared: boolean }>('start-sampling', { interval: intervalBytes });
  let sampling = true;
  return {
    shared,
    async profile() {
      const { head } = await client.request<Pick<HeapProfile, 'head'>>('sampling-profile', {}, 60_000);
      return { head, samples: [] }; // the guard leaves the samples out: the tree carries the bytes
    },
    async stop() {
      if (!sampling) return;
      sampling = false;
      await client.request('stop-sampling', {}, 60_000);
    },
  };
}
