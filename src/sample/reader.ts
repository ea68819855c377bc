import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { badInput, HeapwatchError, runtimeError } from '../errors.js';
import type { CallFrame, HeapProfile, ProfileMeta, ProfileNode, ProfileSample } from './profile.js';

/** Bigger than any real profile (one of 10,000 sites is ~2 MB); parsing it whole costs several times its size. */
export const MAX_PROFILE_BYTES = 256 * 1024 * 1024;

/** A defect found while checking a parsed profile: what, and a text to find near it for the byte offset. */
class ProfileDefect extends Error {
  constructor(
    readonly what: string,
    readonly near?: { needle: string; occurrence: number },
  ) {
    super(what);
  }
}

/**
 * Reads and checks a .heapprofile (V8's SamplingHeapProfile `{head, samples}`, or the inspector's
 * `{profile: {head, samples}}`). Bad input is a HeapwatchError with exit code 2 naming the byte offset.
 */
export function readHeapProfile(file: string): HeapProfile {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new HeapwatchError(`no such file: ${file}`, 'NO_SUCH_FILE', 2);
    if (code === 'EACCES') throw new HeapwatchError(`permission denied: ${file}`, 'NO_ACCESS', 2);
    throw runtimeError(`cannot open ${file}: ${(e as Error).message}`, 'IO');
  }
  let bytes: Buffer;
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new HeapwatchError(`not a file: ${file}`, 'NOT_A_FILE', 2);
    if (stat.size > MAX_PROFILE_BYTES) {
      throw badInput(
        `not a heap profile heapwatch can read: ${stat.size} bytes, more than the ${MAX_PROFILE_BYTES} a profile can have`,
        file,
        MAX_PROFILE_BYTES,
        'BAD_PROFILE',
      );
    }
    bytes = Buffer.allocUnsafe(stat.size);
    let done = 0;
    while (done < stat.size) {
      const n = readSync(fd, bytes, done, stat.size - done, done);
      if (n === 0) break; // the file shrank while we read it
      done += n;
    }
    bytes = bytes.subarray(0, done);
  } catch (e) {
    if (e instanceof HeapwatchError) throw e;
    throw runtimeError(`cannot read ${file}: ${(e as Error).message}`, 'IO');
  } finally {
    closeSync(fd);
  }
  return parseHeapProfile(bytes.toString('utf8'), file);
}

/** Parses and checks the text of a heap profile; `file` names it in errors. */
export function parseHeapProfile(text: string, file = '<profile>'): HeapProfile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const pos = jsonErrorPosition(text, (e as Error).message);
    const truncated = text.slice(pos).trim() === '';
    throw badInput(
      truncated ? 'not a heap profile: the file ends early (truncated?)' : 'not a heap profile: not valid JSON',
      file,
      Buffer.byteLength(text.slice(0, pos)),
      'BAD_PROFILE',
    );
  }
  try {
    return checkProfile(value);
  } catch (e) {
    if (!(e instanceof ProfileDefect)) throw e;
    throw badInput(e.what, file, e.near ? offsetOf(text, e.near.needle, e.near.occurrence) : 0, 'BAD_PROFILE');
  }
}

/** Where JSON.parse's error is, or text.length when the text ran out. */
function parseErrorAt(text: string, message: string): number | undefined {
  const at = /at position (\d+)/.exec(message);
  if (/end of JSON input/.test(message)) return text.length;
  if (/^Unterminated string/.test(message)) return text.length;
  return at ? Math.min(Number(at[1]), text.length) : undefined;
}

/**
 * The character position of a JSON syntax error. Node 20's V8 names no position for an unexpected token, so then
 * the shortest prefix that fails for a reason other than running out is searched for: JSON.parse stops at the
 * error, so each try costs at most the bytes before it.
 */
function jsonErrorPosition(text: string, message: string): number {
  const known = parseErrorAt(text, message);
  if (known !== undefined) return known;
  const failsInside = (length: number): boolean => {
    const prefix = text.slice(0, length);
    try {
      JSON.parse(prefix);
      return false;
    } catch (e) {
      const at = parseErrorAt(prefix, (e as Error).message);
      return at === undefined || at < length;
    }
  };
  let lo = 0;
  let hi = text.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (failsInside(mid + 1)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Byte offset of the n-th (0-based) occurrence of `needle` not followed by a digit (`"id":1` is not `"id":12`),
 * or 0 when it is not there as written (e.g. spaces after the colon).
 */
function offsetOf(text: string, needle: string, occurrence: number): number {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    do {
      at = text.indexOf(needle, at + 1);
      if (at < 0) return 0;
    } while (/[0-9]/.test(text[at + needle.length] ?? ''));
  }
  return Buffer.byteLength(text.slice(0, at));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkProfile(value: unknown): HeapProfile {
  if (!isObject(value)) throw new ProfileDefect('not a heap profile: the file is not a JSON object');
  if ('snapshot' in value && 'nodes' in value) {
    throw new ProfileDefect('not a heap profile: this is a heap snapshot (read it with heapwatch analyze)');
  }
  const top = isObject(value.profile) && !('head' in value) ? value.profile : value;
  if (!isObject(top.head)) throw new ProfileDefect('not a heap profile: no "head" node');
  const ids = new Set<number>();
  const head = checkTree(top.head, ids);
  let samples: ProfileSample[] = [];
  if (top.samples !== undefined) {
    if (!Array.isArray(top.samples)) throw new ProfileDefect('not a heap profile: "samples" is not an array');
    // V8 can list a sample whose node is not in the tree it returned (an object allocated, and sampled, while
    // it built the profile): such a sample has no frame to count it in and is left out.
    samples = top.samples.map((s, i) => checkSample(s, i)).filter((s) => ids.has(s.nodeId));
  }
  const profile: HeapProfile = { head, samples };
  const meta = checkMeta(value.heapwatch);
  if (meta) profile.heapwatch = meta;
  return profile;
}

/** Walks the tree without recursion (a profile can be deep); node ids must be unique, or the tree has a cycle. */
function checkTree(headValue: Record<string, unknown>, ids: Set<number>): ProfileNode {
  const stack: unknown[] = [headValue];
  const seen = new Map<number, number>(); // id → how many times it has been seen as an "id" field so far
  let head: ProfileNode | undefined;
  while (stack.length > 0) {
    const v = stack.pop();
    if (!isObject(v)) throw new ProfileDefect('not a heap profile: a node of the call tree is not an object');
    const id = v.id;
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
      throw new ProfileDefect('not a heap profile: a node without an integer "id"', {
        needle: '"callFrame"',
        occurrence: ids.size,
      });
    }
    const near = { needle: `"id":${id}`, occurrence: seen.get(id) ?? 0 };
    if (ids.has(id)) {
      throw new ProfileDefect(
        `bad heap profile: node id ${id} appears twice in the call tree (a cycle or a duplicate)`,
        near,
      );
    }
    seen.set(id, (seen.get(id) ?? 0) + 1);
    ids.add(id);
    const selfSize = v.selfSize;
    if (typeof selfSize !== 'number' || !Number.isFinite(selfSize) || selfSize < 0) {
      throw new ProfileDefect(`bad heap profile: node ${id} has no valid "selfSize"`, near);
    }
    if (!Array.isArray(v.children))
      throw new ProfileDefect(`bad heap profile: node ${id} has no "children" array`, near);
    const callFrame = checkFrame(v.callFrame, id, near);
    // replace the children in place: the checked node is the same object, no second copy of the tree
    (v as unknown as ProfileNode).callFrame = callFrame;
    head ??= v as unknown as ProfileNode;
    for (let i = v.children.length - 1; i >= 0; i--) stack.push(v.children[i]);
  }
  return head as ProfileNode;
}

function checkFrame(v: unknown, id: number, near: { needle: string; occurrence: number }): CallFrame {
  if (!isObject(v)) throw new ProfileDefect(`bad heap profile: node ${id} has no "callFrame"`, near);
  const { functionName, url, lineNumber, columnNumber } = v;
  const scriptId = typeof v.scriptId === 'number' ? String(v.scriptId) : v.scriptId;
  if (
    typeof functionName !== 'string' ||
    typeof url !== 'string' ||
    typeof scriptId !== 'string' ||
    typeof lineNumber !== 'number' ||
    !Number.isInteger(lineNumber) ||
    typeof columnNumber !== 'number' ||
    !Number.isInteger(columnNumber)
  ) {
    throw new ProfileDefect(`bad heap profile: node ${id} has a malformed "callFrame"`, near);
  }
  return { functionName, scriptId, url, lineNumber, columnNumber };
}

function checkSample(v: unknown, i: number): ProfileSample {
  const near = { needle: '"nodeId"', occurrence: i };
  if (!isObject(v)) throw new ProfileDefect(`bad heap profile: sample ${i} is not an object`, near);
  const { size, nodeId, ordinal } = v;
  if (typeof size !== 'number' || !Number.isFinite(size) || size < 0) {
    throw new ProfileDefect(`bad heap profile: sample ${i} has no valid "size"`, near);
  }
  if (typeof nodeId !== 'number' || !Number.isSafeInteger(nodeId)) {
    throw new ProfileDefect(`bad heap profile: sample ${i} has no integer "nodeId"`, near);
  }
  return { size, nodeId, ordinal: typeof ordinal === 'number' ? ordinal : i };
}

/** heapwatch's own key; anything malformed there is ignored (it only labels the report). */
function checkMeta(v: unknown): ProfileMeta | undefined {
  if (!isObject(v)) return undefined;
  const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : null);
  return {
    target: typeof v.target === 'string' ? v.target : null,
    durationMs: num(v.durationMs),
    intervalBytes: num(v.intervalBytes),
    includeCollected: v.includeCollected === true,
    targetExited: v.targetExited === true,
  };
}
