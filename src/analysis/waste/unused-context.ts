import { formatBytes, formatCount } from '../../format.js';
import type { HeapSnapshot } from '../../snapshot/snapshot.js';
import { locationLayout } from '../classes.js';
import { scriptNameOf } from '../node-names.js';
import { prefaulted } from '../prefault.js';
import { closureRecordOf } from '../source-locations.js';
import type { HeapAnalysis } from '../types.js';
import { type WasteCandidates, wasteCandidates } from './candidates.js';
import { functionText, mentions } from './function-text.js';
import { internalTarget, KnownNames } from './names.js';
import { WASTE_EXAMPLES, type WasteFinding } from './types.js';

/** A context variable is judged when it retains this much. */
const MIN_RETAINED = 64 * 1024;
/** Bounds: contexts with a big variable looked at in detail, and context hops walked up from each closure. */
const MAX_CONTEXTS = 50_000;
const MAX_DEPTH = 16;
/** A context held by closures of more functions than this is a module's or a class's scope, not a factory's. */
const MAX_FUNCTIONS = 3;
const NOT_CONTEXT = 1;
const SMALL = 2;
const BIG = 3;
/** A small context with no big one above it up to the chain's end: closures reaching it need not walk on. */
const CLEAN = 4;

const NAMES = ['system / Context', 'context', 'previous', 'shared', 'script_or_debug_info', 'script', 'source'];
const [CONTEXT_NODE, CONTEXT_EDGE, PREVIOUS, SHARED, SCRIPT_OR_DEBUG_INFO, SCRIPT, SOURCE] = NAMES.keys();
/** The names bigContexts reads (the first four, at the same positions): fewer strings to look at for its table. */
const SCAN_NAMES = NAMES.slice(0, SHARED + 1);

export const UNUSED_CONTEXT_RULE =
  'V8 keeps one context per scope, shared by all the closures created in it, so a closure keeps every variable ' +
  `of its scope alive. A variable retaining ${formatBytes(MIN_RETAINED)} or more is reported when no live closure ` +
  'holding its context (directly or from an inner scope) mentions it in its source, and the context is held by ' +
  `closures of at most ${MAX_FUNCTIONS} functions (a scope many functions share, like a module's top level, is left out) ` +
  `and not by Node's own modules; at most ${formatCount(MAX_CONTEXTS)} such contexts are looked at. The snapshot holds a script's ` +
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

/**
 * The names bigContexts reads, as a table of every string (KnownNames.table) for bigContexts on a thread without
 * the strings.
 */
export function contextNameTable(s: HeapSnapshot): Int8Array {
  return new KnownNames(s, SCAN_NAMES).table();
}

/**
 * Closures that keep large context variables alive that their own code never mentions. `found`: bigContexts'
 * answer for these candidates when another thread has worked it out.
 */
export function unusedContextVariables(
  a: HeapAnalysis,
  cands: WasteCandidates = wasteCandidates(a),
  found?: BigContexts,
): WasteFinding[] {
  const s = a.snapshot;
  const names = new KnownNames(s, NAMES);
  const { edgeTargets } = s;
  const { contexts, closures, fns, fnClosure, fnCount } = found ?? bigContexts(a, cands.closures);
  if (contexts.length === 0) return [];
  const sourceOf = (fn: number): string | null => {
    const shared = internalTarget(s, names, fn, SHARED);
    let script = shared < 0 ? -1 : internalTarget(s, names, shared, SCRIPT_OR_DEBUG_INFO);
    if (script < 0 && shared >= 0) script = internalTarget(s, names, shared, SCRIPT);
    const source = script < 0 ? -1 : internalTarget(s, names, script, SOURCE);
    return source < 0 ? null : s.nodeName(source);
  };
  // the closures to look up: one per function of each context a few functions share
  const looked: number[] = [];
  for (let slot = 0; slot < contexts.length; slot++) {
    if (fnCount[slot] > MAX_FUNCTIONS) continue;
    for (let f = 0; f < fnCount[slot]; f++) looked.push(fnClosure[slot * (MAX_FUNCTIONS + 1) + f]);
  }
  const locations = closureLocations(a, looked);
  const verdictOf = (closure: number, variable: string): 'uses' | 'unused' | 'unknown' => {
    const loc = locations.get(closure);
    const source = sourceOf(closure);
    if (!loc || source === null) return 'unknown';
    const text = functionText(source, loc.line, loc.column);
    if (text === null) return 'unknown';
    return mentions(text, variable) ? 'uses' : 'unused';
  };
  const groups = new Map<number, Group>(); // by the first function holding the context: bounded by MAX_CONTEXTS
  const verdicts = new Map<string, 'uses' | 'unused' | 'unknown'>(); // by function and variable: bounded as well
  for (let slot = 0; slot < contexts.length; slot++) {
    // a scope many functions share (a module's top level) is there to be shared
    if (fnCount[slot] > MAX_FUNCTIONS) continue;
    const ctx = contexts[slot];
    const holder = fnClosure[slot * (MAX_FUNCTIONS + 1)];
    // Node's own modules (scripts named node:…) are not the program's waste
    if (scriptNameOf(s, holder).startsWith('node:')) continue;
    const variableEdge = bigVariable(a, ctx);
    const variable = s.edgeName(variableEdge);
    let used = false;
    let unknown = false;
    for (let f = 0; f < fnCount[slot] && !used; f++) {
      // closures of one function share its source and location: its text is read once per variable name
      const at = slot * (MAX_FUNCTIONS + 1) + f;
      const key = `${fns[at]}:${s.edgeNames[variableEdge]}`;
      let v = verdicts.get(key);
      if (v === undefined) {
        v = verdictOf(fnClosure[at], variable);
        verdicts.set(key, v);
      }
      if (v === 'uses') used = true;
      else if (v === 'unknown') unknown = true;
    }
    if (used) continue;
    const key = fns[slot * (MAX_FUNCTIONS + 1)];
    const g = groups.get(key) ?? { fn: key, closures: 0, bytes: 0, variable, verified: !unknown, example: holder };
    g.closures += closures[slot];
    g.bytes += a.retainedSizes[edgeTargets[variableEdge]];
    g.verified &&= !unknown;
    groups.set(key, g);
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

/** The contexts with a big variable that closures hold (directly or from an inner scope), as slots. */
export interface BigContexts {
  contexts: number[];
  /** Per slot: how many closures hold it. */
  closures: number[];
  /** Per slot, up to MAX_FUNCTIONS + 1 functions holding it (fnCount[slot] of them), each with one closure. */
  fns: Int32Array;
  fnClosure: Int32Array;
  fnCount: Uint8Array;
}

/** What bigContexts reads: typed arrays only (a worker thread has no strings: `names` comes as a table). */
type ContextScanInput = Pick<HeapAnalysis, 'snapshot' | 'retainedSizes'>;

/**
 * From each closure in `list` up its context chain (a function of its own: this loop over every closure is the
 * part worth optimizing, and it is compiled without the report's code after it). `nameTable`: contextNameTable's,
 * for a snapshot without strings.
 */
export function bigContexts(a: ContextScanInput, list: Uint32Array, nameTable?: Int8Array): BigContexts {
  const s = a.snapshot;
  const names = new KnownNames(s, SCAN_NAMES, nameTable);
  const n = s.nodeCount;
  // from each closure up its context chain; per node, whether it is a context with a big variable (computed once)
  const state = prefaulted(new Uint8Array(n)); // 0 not seen yet, then NOT_CONTEXT, SMALL or BIG (read first)
  // per big context (a slot each, bounded): its closures, and up to MAX_FUNCTIONS + 1 functions with a closure each
  const slotOf = new Map<number, number>(); // context ordinal → slot, at most MAX_CONTEXTS entries
  const contexts: number[] = [];
  const closures: number[] = [];
  const fns = new Int32Array(MAX_CONTEXTS * (MAX_FUNCTIONS + 1));
  const fnClosure = new Int32Array(MAX_CONTEXTS * (MAX_FUNCTIONS + 1));
  const fnCount = new Uint8Array(MAX_CONTEXTS);
  // the small contexts walked from the current closure since the last big one, to mark CLEAN when the chain ends
  const walked = new Uint32Array(MAX_DEPTH);
  for (const o of list) {
    let c = internalTarget(s, names, o, CONTEXT_EDGE);
    let smalls = 0;
    let depth = 0;
    for (; c >= 0 && depth < MAX_DEPTH; depth++) {
      let st = state[c];
      if (st === 0) {
        st = names.ofNode(c) !== CONTEXT_NODE ? NOT_CONTEXT : bigVariable(a, c) >= 0 ? BIG : SMALL;
        state[c] = st;
      }
      // up through function and block contexts only: a native context's hundreds of slots are not scanned
      if (st === NOT_CONTEXT || st === CLEAN) break;
      if (st === SMALL) walked[smalls++] = c;
      else {
        smalls = 0;
        let slot = slotOf.get(c);
        if (slot === undefined && contexts.length < MAX_CONTEXTS) {
          slot = contexts.length;
          slotOf.set(c, slot);
          contexts.push(c);
          closures.push(0);
        }
        if (slot !== undefined) {
          closures[slot]++;
          const k = fnCount[slot];
          if (k <= MAX_FUNCTIONS) {
            const fn = internalTarget(s, names, o, SHARED);
            let known = false;
            for (let f = 0; f < k && !known; f++) known = fns[slot * (MAX_FUNCTIONS + 1) + f] === fn;
            if (!known) {
              fns[slot * (MAX_FUNCTIONS + 1) + k] = fn;
              fnClosure[slot * (MAX_FUNCTIONS + 1) + k] = o;
              fnCount[slot] = k + 1;
            }
          }
        }
      }
      c = internalTarget(s, names, c, PREVIOUS);
    }
    // the chain ended (not cut by the depth bound): the small contexts after the last big one lead to no big one
    if (c < 0 || depth < MAX_DEPTH) for (let k = 0; k < smalls; k++) state[walked[k]] = CLEAN;
  }
  return { contexts, closures, fns, fnClosure, fnCount };
}

/** The context edge of the variable retaining the most (at least MIN_RETAINED), or -1. */
function bigVariable(a: ContextScanInput, ctx: number): number {
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

/** Line and column (0-based, where V8 puts a function's start) of the given closures, from their location records. */
function closureLocations(a: HeapAnalysis, closures: number[]): Map<number, { line: number; column: number }> {
  const s = a.snapshot;
  const L = locationLayout(s);
  const out = new Map<number, { line: number; column: number }>(); // bounded by MAX_CONTEXTS
  if (L.node < 0 || L.line < 0 || L.col < 0) return out;
  for (const o of closures) {
    const at = closureRecordOf(s, o);
    if (at >= 0) out.set(o, { line: s.locations[at + L.line], column: s.locations[at + L.col] });
  }
  return out;
}
