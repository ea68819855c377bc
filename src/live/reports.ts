import type { DumpResult } from './capture.js';
import type { NodeProcessInfo } from './ps.js';

/** `heapwatch ps --json`. */
export function psReport(processes: NodeProcessInfo[]): { schema: 'heapwatch/ps@1'; processes: NodeProcessInfo[] } {
  return { schema: 'heapwatch/ps@1', processes };
}

/** `heapwatch dump --json`. */
export function dumpReport(result: DumpResult & { via?: 'socket' | 'inspector' }) {
  return {
    schema: 'heapwatch/dump@1' as const,
    file: result.file,
    bytes: result.bytes,
    method: result.method,
    via: result.via,
    durationMs: result.durationMs,
    headroom: result.headroom,
  };
}
