import type { AllocationSampling } from '../live/allocation-sampling.js';
import type { Sample } from '../live/types.js';

/** What the dashboard shows about its target besides the samples. */
export interface TargetInfo {
  pid: number;
  command: string;
  nodeVersion: string;
  /** When the target started, ms since epoch (from its own process.uptime()). */
  startedAt: number;
}

/** A written heap dump. */
export interface DumpResult {
  file: string;
  bytes: number;
  ms: number;
}

/**
 * What the dashboard needs from an attached process; live/ provides it (see attach-source.ts).
 * Kept small so the screen and its controller depend on no protocol detail.
 */
export interface DashboardSource {
  readonly info: TargetInfo;
  /** One sample (rejects when the target is gone). */
  sample(): Promise<Sample>;
  forceGc(): Promise<void>;
  /** V8's sampling heap profiler in the target until stop() (detach stops it too). */
  startAllocationSampling(intervalBytes: number): Promise<AllocationSampling>;
  /** A heap dump into `dir`, after the live layer's headroom check; `onStatus` gets short progress lines. */
  dump(dir: string, onStatus: (text: string) => void): Promise<DumpResult>;
  /** Removes everything injected and closes the inspector if heapwatch opened it. Safe to call twice. */
  detach(): Promise<void>;
  /** Called once if the target exits or the connection drops while attached. */
  onGone(listener: (reason: string) => void): void;
}
