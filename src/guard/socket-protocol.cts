// The guard's live-view protocol, version 1 (shared by the guard and heapwatch's client; node: built-ins only).
// Newline-delimited JSON over the guard's Unix socket. The client sends one request per line and reads one answer
// per request, in order:
//   → {"v":1,"id":7,"op":"sample"}
//   ← {"v":1,"id":7,"ok":true,"result":{…}}    or    {"v":1,"id":7,"ok":false,"error":"…"}
// A request line over MAX_REQUEST_BYTES ends the connection; so does an answer over MAX_ANSWER_BYTES on the client.

export const PROTOCOL_VERSION = 1;
/** Longest request line the guard accepts (requests are tiny). */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** Longest answer line the client accepts (a sample is ~2 KB; a full GC queue ~1 MB). */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;
/** GC events kept per subscriber between two samples; older ones are dropped (and counted). */
export const MAX_PENDING_GC_EVENTS = 4096;
/** Clients connected at once; more are refused by the kernel's backlog and Node's maxConnections. */
export const MAX_CLIENTS = 8;

export type Op =
  | 'hello'
  | 'sample'
  | 'subscribe-gc'
  | 'unsubscribe-gc'
  | 'collect-garbage'
  | 'dump'
  | 'close-inspector'
  | 'start-sampling'
  | 'sampling-profile'
  | 'stop-sampling';
export const OPS: readonly Op[] = [
  'hello',
  'sample',
  'subscribe-gc',
  'unsubscribe-gc',
  'collect-garbage',
  'dump',
  'close-inspector',
  'start-sampling',
  'sampling-profile',
  'stop-sampling',
];

export interface Request {
  v: number;
  id: number;
  op: Op;
  /** dump: the file the client created for the snapshot (empty, exclusive, 0600), with its device and inode. */
  path?: string;
  dev?: number;
  ino?: number;
  /** start-sampling: V8's sampling interval in bytes. */
  interval?: number;
  /** start-sampling: also keep objects the GC collected since (allocation churn, not only live memory). */
  collected?: boolean;
  /** sampling-profile: also send the samples, flattened (see SamplingProfileAnswer). */
  samples?: boolean;
}

export interface Answer {
  v: number;
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export interface Hello {
  protocol: number;
  pid: number;
  uid: number;
  node: string;
  uptime: number;
  argv: string[];
  ops: readonly Op[];
}

/** start-sampling's answer: `shared` when V8 was already sampling (the guard's HEAPWATCH_SAMPLE, DevTools): the
 * client reads that profile and leaves it running, at its interval. `collected` echoes the request (a guard that
 * leaves it out predates the option and sampled live memory only). */
export interface SamplingStarted {
  shared: boolean;
  collected: boolean;
}

/** Most profile nodes sampling-profile sends, so its answer stays well under MAX_ANSWER_BYTES. */
export const MAX_PROFILE_NODES = 20_000;
/** Most samples sampling-profile sends when asked for them (~20 bytes each). */
export const MAX_PROFILE_SAMPLES = 50_000;

/** sampling-profile's answer: the call tree, and when asked the samples as [size, nodeId, ordinal, size, …]. */
export interface SamplingProfileAnswer<Node> {
  head: Node;
  samples?: number[];
}

/** A GC event as the guard sends it: [kind, wall-clock start ms, duration ms, flags, old spaces after a major GC]. */
export type WireGcEvent = [kind: number, start: number, duration: number, flags: number, spaces?: [string, number][]];

/** One sample: the same three calls the inspector path evaluates, and the GC events since the last sample. */
export interface WireSample {
  t: number;
  pid: number;
  u: number;
  s: {
    space_name: string;
    space_size: number;
    space_used_size: number;
    space_available_size: number;
    physical_space_size: number;
  }[];
  h: {
    total_heap_size: number;
    used_heap_size: number;
    heap_size_limit: number;
    total_available_size: number;
    malloced_memory: number;
    external_memory?: number;
  };
  m: { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
  /** null when this connection has not subscribed to GC events. */
  gc: WireGcEvent[] | null;
  /** GC events dropped because the client did not sample for a long time. */
  gcDropped?: number;
}
