import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;

/**
 * Runs a full garbage collection now, so that big buffers that just became garbage (a file-sized parse buffer,
 * a worker's arrays) are returned to the system before the next phase allocates its own: V8 alone would let
 * them pile up and raise the peak. A no-op where the runtime will not expose its collector.
 */
export function releaseMemory(): void {
  if (collect === undefined) {
    try {
      // a context made while --expose-gc is set gets a gc() of its own; this process's global does not change
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
      setFlagsFromString('--no-expose-gc');
    } catch {
      collect = null;
    }
  }
  collect?.();
}
