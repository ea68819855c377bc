import type { HeapSnapshot } from '../snapshot/snapshot.js';
import { DETACHED } from './dom-state.js';
import { formatPropertyName } from './plain-objects.js';
import type { HeapAnalysis } from './types.js';

const MAX_FLAT_STRING = 1024;
/** Parts visited at most: V8's parts are never empty, so a real string fills 1 KB long before; a crafted cycle stops. */
const MAX_FLAT_STEPS = 16 * MAX_FLAT_STRING;
const MAX_OBJECT_NAME = 100;

/**
 * A node's name as DevTools shows it: concatenated strings flattened (up to ~1 KB), plain objects as
 * `{first, second, …, last}` from their property names, detached DOM nodes with a "Detached " prefix,
 * everything else the name in the snapshot.
 */
export function nodeDisplayName(s: HeapSnapshot, o: number, detached?: Uint8Array | null): string {
  const t = s.nodeTypeOf(o);
  if (t === s.nodeType['concatenated string']) return flattenConsString(s, o);
  const raw = s.nodeName(o);
  if (t === s.nodeType.object && raw === 'Object') return plainObjectName(s, o);
  if (detached?.[o] === DETACHED) return `Detached ${raw}`;
  return raw;
}

function flattenConsString(s: HeapSnapshot, o: number): string {
  const cons = s.nodeType['concatenated string'];
  const internal = s.edgeType.internal;
  const stack = [o];
  let out = '';
  for (let steps = 0; stack.length > 0 && out.length < MAX_FLAT_STRING && steps < MAX_FLAT_STEPS; steps++) {
    const v = stack.pop()!;
    if (s.nodeTypeOf(v) !== cons) {
      out += s.nodeName(v);
      continue;
    }
    let first = -1;
    let second = -1;
    for (let e = s.firstEdge[v]; e < s.firstEdge[v + 1] && (first < 0 || second < 0); e++) {
      if (s.edgeTypeOf(e) !== internal) continue;
      const name = s.strings.get(s.edgeNameOrIndex(e));
      if (name === 'first') first = s.edgeTarget(e);
      else if (name === 'second') second = s.edgeTarget(e);
    }
    // a missing part reads as the root's (empty) name, as in DevTools
    stack.push(second < 0 ? s.rootOrdinal : second, first < 0 ? s.rootOrdinal : first);
  }
  return out;
}

/** `{a, b, …, y, z}`: property names taken alternately from the front and the back while they fit. */
function plainObjectName(s: HeapSnapshot, o: number): string {
  const property = s.edgeType.property;
  let start = '{';
  let end = '}';
  let front = s.firstEdge[o];
  let back = s.firstEdge[o + 1] - 1;
  let fromBack = false;
  while (front <= back) {
    const e = fromBack ? back : front;
    const name = s.edgeTypeOf(e) === property ? s.strings.get(s.edgeNameOrIndex(e)) : undefined;
    if (name === undefined || name === '__proto__') {
      if (fromBack) back--;
      else front++;
      continue;
    }
    const formatted = formatPropertyName(name);
    if (start.length > 1 && start.length + end.length + formatted.length > MAX_OBJECT_NAME) break;
    if (fromBack) {
      back--;
      if (end.length > 1) end = `, ${end}`;
      end = formatted + end;
    } else {
      front++;
      if (start.length > 1) start += ', ';
      start += formatted;
    }
    fromBack = !fromBack;
  }
  if (front <= back) start += ', …';
  if (end.length > 1) start += ', ';
  return start + end;
}

/** The name (URL or `node:…` id) of the script a closure's code comes from, or '' when the snapshot does not say. */
export function scriptNameOf(s: HeapSnapshot, closure: number): string {
  const shared = s.internalEdgeTarget(closure, 'shared');
  if (shared < 0) return '';
  // V8 names the edge `script_or_debug_info` (Node 20) or `script`
  let script = s.internalEdgeTarget(shared, 'script_or_debug_info');
  if (script < 0) script = s.internalEdgeTarget(shared, 'script');
  return script < 0 ? '' : s.nodeName(script);
}

/** The name reports show for node o of an analysis (here, not in analysis/index: `node` does not load the engine). */
export function nodeName(a: HeapAnalysis, o: number): string {
  return nodeDisplayName(a.snapshot, o, a.detachedNative);
}
