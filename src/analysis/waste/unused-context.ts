import { formatBytes, formatCount } from '../../format.js';
import { scriptNameOf } from '../node-names.js';
import type { HeapAnalysis } from '../types.js';
import { functionText, mentions } from './function-text.js';
import { internalTarget, KnownNames } from './names.js';
import { WASTE_EXAMPLES, type WasteFinding } from './types.js';

/** A context variable is judged when it retains this much. */
const MIN_RETAINED = 64 * 1024;
/** Bounds: closures looked at in detail, and context hops walked up from each closure. */
const MAX_PAIRS = 20_000;
const MAX_DEPTH = 16;

const NAMES = ['system / Context', 'context', 'previous', 'shared', 'script_or_debug_info', 'script', 'source'];
const [CONTEXT_NODE, CONTEXT_EDGE, PREVIOUS, SHARED, SCRIPT_OR_DEBUG_INFO, SCRIPT, SOURCE] = NAMES.keys();

export const UNUSED_CONTEXT_RULE =
  'V8 keeps one context per scope, shared by all the closures created in it, so a closure keeps every variable ' +
  `of its scope alive. A variable retaining ${formatBytes(MIN_RETAINED)} or more is reported when no live closure ` +
  "holding its context (directly or from an inner scope) mentions it in its source. The snapshot holds a script's " +
  'source only up to its first 1,024 characters, and the compiled code reads context variables by slot number, ' +
  'not by name: where a function’s whole text is not in the snapshot, the finding lists it as not checked. ' +
  'Bytes: the retained size of the variable’s value (what the context alone keeps).';

interface Group {
  fn: number;
  closures: number;
  bytes: number;
  variable: string;
  verified: boolean;
  example: number;
}

/** Closures that keep large context variables alive that their own code never mentions. */
export function unusedContextVariables(a: HeapAnalysis): WasteFinding[] {
  const s = a.snapshot;
  const names = new KnownNames(s, NAMES);
  const { nodeTypes, firstEdge, edgeTargets } = s;
  const closureType = s.nodeType.closure;
  const n = s.nodeCount;
  // pass 1: contexts with a big variable, a bit each
  const marked = new Uint32Array((n + 31) >>> 5);
  let candidates = 0;
  for (let o = 0; o < n; o++) {
    const t = nodeTypes[o];
    if (t === closureType || firstEdge[o + 1] === firstEdge[o] || names.ofNode(o) !== CONTEXT_NODE) continue;
    if (bigVariable(a, o) < 0) continue;
    marked[o >>> 5] |= 1 << (o & 31);
    candidates++;
  }
  if (candidates === 0) return [];
  // pass 2: closures whose context chain reaches a marked context (bounded list of pairs)
  const pairClosure: number[] = [];
  const pairContext: number[] = [];
  for (let o = 0; o < n && pairClosure.length < MAX_PAIRS; o++) {
    if (nodeTypes[o] !== closureType) continue;
    let c = internalTarget(s, names, o, CONTEXT_EDGE);
    // up through function and block contexts only: a native context's hundreds of slots are not scanned
    for (let depth = 0; c >= 0 && depth < MAX_DEPTH && names.ofNode(c) === CONTEXT_NODE; depth++) {
      if (marked[c >>> 5] & (1 << (c & 31))) {
        pairClosure.push(o);
        pairContext.push(c);
      }
      c = internalTarget(s, names, c, PREVIOUS);
    }
  }
  // per context: the big variable, and whether some holder mentions it or cannot be checked
  const sourceOf = (fn: number): string | null => {
    const shared = internalTarget(s, names, fn, SHARED);
    let script = shared < 0 ? -1 : internalTarget(s, names, shared, SCRIPT_OR_DEBUG_INFO);
    if (script < 0 && shared >= 0) script = internalTarget(s, names, shared, SCRIPT);
    const source = script < 0 ? -1 : internalTarget(s, names, script, SOURCE);
    return source < 0 ? null : s.nodeName(source);
  };
  const locations = closureLocations(a, pairClosure);
  const verdictOf = (closure: number, variable: string): 'uses' | 'unused' | 'unknown' => {
    const loc = locations.get(closure);
    const source = sourceOf(closure);
    if (!loc || source === null) return 'unknown';
    const text = functionText(source, loc.line, loc.column);
    if (text === null) return 'unknown';
    return mentions(text, variable) ? 'uses' : 'unused';
  };
  // pairs come grouped by closure, not by context: order them by context
  const order = pairContext.map((_, i) => i).sort((x, y) => pairContext[x] - pairContext[y]);
  const groups = new Map<number, Group>(); // by the closures' function (SharedFunctionInfo), bounded by MAX_PAIRS
  for (let i = 0; i < order.length; ) {
    const ctx = pairContext[order[i]];
    let j = i;
    while (j < order.length && pairContext[order[j]] === ctx) j++;
    const variableEdge = bigVariable(a, ctx);
    const variable = s.edgeName(variableEdge);
    let used = false;
    let unknown = false;
    // Node's own modules (scripts named node:…) are not the program's waste
    if (scriptNameOf(s, pairClosure[order[i]]).startsWith('node:')) used = true;
    for (let k = i; k < j && !used; k++) {
      const v = verdictOf(pairClosure[order[k]], variable);
      if (v === 'uses') used = true;
      else if (v === 'unknown') unknown = true;
    }
    if (!used) {
      const holder = pairClosure[order[i]];
      const fn = internalTarget(s, names, holder, SHARED);
      const key = fn < 0 ? -1 - holder : fn;
      const g = groups.get(key) ?? { fn: holder, closures: 0, bytes: 0, variable, verified: !unknown, example: holder };
      g.closures += j - i;
      g.bytes += a.retainedSizes[edgeTargets[variableEdge]];
      g.verified &&= !unknown;
      groups.set(key, g);
    }
    i = j;
  }
  const out: WasteFinding[] = [];
  for (const verified of [true, false]) {
    const rows = [...groups.values()].filter((g) => g.verified === verified).sort((x, y) => y.bytes - x.bytes);
    if (rows.length === 0) continue;
    const bytes = rows.reduce((sum, g) => sum + g.bytes, 0);
    const count = rows.reduce((sum, g) => sum + g.closures, 0);
    out.push({
      kind: 'unused-context',
      title: verified
        ? `${formatCount(count)} closures keep a large variable of their scope they never use`
        : `${formatCount(count)} closures keep a large variable of their scope (not checked: their source is not in the snapshot)`,
      count,
      bytes,
      sizeKind: 'retained',
      rule: UNUSED_CONTEXT_RULE,
      examples: rows.slice(0, WASTE_EXAMPLES).map((g) => {
        const loc = locations.get(g.example);
        const file = scriptNameOf(s, g.example);
        const where = loc ? ` (${file.slice(file.lastIndexOf('/') + 1)}:${loc.line + 1}:${loc.column + 1})` : '';
        const times = g.closures > 1 ? `${formatCount(g.closures)} × ` : '';
        return {
          node: g.example,
          bytes: g.bytes,
          detail:
            `${times}${s.nodeName(g.example) || '(anonymous)'}()${where} keeps \`${g.variable}\` ${verified ? 'and never mentions it' : ''}`.trimEnd(),
        };
      }),
    });
  }
  return out;
}

/** The context edge of the variable retaining the most (at least MIN_RETAINED), or -1. */
function bigVariable(a: HeapAnalysis, ctx: number): number {
  const s = a.snapshot;
  const contextEdge = s.edgeType.context;
  let best = -1;
  let bestSize = MIN_RETAINED - 1;
  for (let e = s.firstEdge[ctx], end = s.firstEdge[ctx + 1]; e < end; e++) {
    if (s.edgeTypes[e] !== contextEdge) continue;
    const size = a.retainedSizes[s.edgeTargets[e]];
    if (size > bestSize) {
      best = e;
      bestSize = size;
    }
  }
  return best;
}

/** Line and column (0-based, where V8 puts a function's start) of the given closures, by one pass over `locations`. */
function closureLocations(a: HeapAnalysis, closures: number[]): Map<number, { line: number; column: number }> {
  const s = a.snapshot;
  const f = s.meta.raw.location_fields;
  const fields = Array.isArray(f) && f.length > 0 ? (f as string[]) : ['object_index', 'script_id', 'line', 'column'];
  const [node, line, column] = ['object_index', 'line', 'column'].map((x) => fields.indexOf(x));
  const out = new Map<number, { line: number; column: number }>();
  if (node < 0 || line < 0 || column < 0 || closures.length === 0) return out;
  const wanted = new Set(closures); // bounded by MAX_PAIRS
  const locs = s.locations;
  for (let i = 0; i + fields.length <= locs.length; i += fields.length) {
    const o = locs[i + node];
    if (wanted.has(o)) out.set(o, { line: locs[i + line], column: locs[i + column] });
  }
  return out;
}
