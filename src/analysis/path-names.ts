import type { HeapSnapshot } from '../snapshot/snapshot.js';
import { nodeDisplayName, scriptNameOf } from './node-names.js';
import type { PathStep } from './paths.js';
import type { HeapAnalysis } from './types.js';

/** One step of a path as a developer reads it (and as `--json` prints it). */
export interface NamedStep {
  /** The reference: property or variable name, `[index]`, `['key']` for a Map entry, `context`, `(global)`. */
  readonly edge: string;
  readonly edgeType: string;
  readonly id: number;
  readonly className: string;
  /** Text tokens for this step in a path line (empty for plumbing hops a developer does not write, e.g. `table`). */
  readonly tokens: readonly string[];
}

const MAX_KEY = 40;

/** Names the steps of a root-side-first path, e.g. `(global) → orderEvents → _events → order-updated → [3] → onOrderUpdated()`. */
export function nameSteps(a: HeapAnalysis, steps: readonly PathStep[]): NamedStep[] {
  const s = a.snapshot;
  const out: NamedStep[] = [];
  let from = s.rootOrdinal;
  let fromTable = false;
  for (const { edge, node } of steps) {
    const edgeText = edgeLabel(s, from, edge, fromTable);
    out.push({
      edge: edgeText,
      edgeType: s.edgeTypeName(edge),
      id: s.nodeId(node),
      className: a.classNames[a.classOf[node]],
      tokens: stepTokens(a, from, edge, node, edgeText),
    });
    fromTable = s.edgeTypeOf(edge) === s.edgeType.internal && s.edgeName(edge) === 'table';
    from = node;
  }
  return out;
}

/** The path as one line of text, root side first. */
export function pathText(steps: readonly NamedStep[]): string {
  const tokens = steps.flatMap((st) => st.tokens);
  // a linked structure walked link by link repeats a group of hops: it reads as the group once with a count
  const out: string[] = [];
  for (let i = 0; i < tokens.length; ) {
    let best = 1;
    let bestRepeats = 1;
    for (let period = 1; period <= 3; period++) {
      let repeats = 1;
      while (sameRun(tokens, i, i + repeats * period, period)) repeats++;
      if (repeats >= 3 && repeats * period > bestRepeats * best) {
        best = period;
        bestRepeats = repeats;
      }
    }
    if (bestRepeats >= 3) {
      const group = tokens.slice(i, i + best).join(' → ');
      out.push(best === 1 ? `${group} ×${bestRepeats}` : `(${group}) ×${bestRepeats}`);
      i += best * bestRepeats;
    } else out.push(tokens[i++]);
  }
  return out.join(' → ');
}

function sameRun(tokens: string[], from: number, at: number, length: number): boolean {
  if (at + length > tokens.length) return false;
  for (let k = 0; k < length; k++) if (tokens[at + k] !== tokens[from + k]) return false;
  return true;
}

/**
 * How the edge itself reads: names for properties and variables, `[i]` for indices, the Map key for entries
 * (`fromTable`: `from` is the backing table of a Map or Set, reached by its `table` edge).
 */
export function edgeLabel(s: HeapSnapshot, from: number, e: number, fromTable = false): string {
  const T = s.edgeType;
  const t = s.edgeTypeOf(e);
  if (from === s.rootOrdinal && t === T.shortcut) return '(global)';
  if (t === T.element) return `[${s.edgeNameOrIndex(e)}]`;
  if (t === T.hidden) return `<${s.edgeNameOrIndex(e)}>`;
  const name = s.edgeName(e);
  if (t === T.internal && fromTable && isIndex(name)) return mapEntryLabel(s, from, Number(name));
  return name;
}

/** A node as it reads at the end of a hop: `fn()` for closures, the class or name for objects. */
export function nodeLabel(a: HeapAnalysis, o: number): string {
  const s = a.snapshot;
  const T = s.nodeType;
  const t = s.nodeTypeOf(o);
  if (t === T.closure) return `${closureName(s, o)}()`;
  if (t === T.object && s.nodeName(o) === 'Generator') return suspendedFrameLabel(s, o);
  if (t === T.string || t === T['concatenated string'] || t === T['sliced string']) {
    return quote(nodeDisplayName(s, o));
  }
  if (t === T.synthetic) return s.nodeName(o);
  if ((t === T.hidden || t === T.object) && s.nodeName(o).startsWith('system / ')) {
    return s.nodeName(o).slice('system / '.length);
  }
  if (t === T.object && s.nodeName(o) === 'global') return '(global)';
  return a.classNames[a.classOf[o]];
}

/** What V8's nameless builtin closures do, by their code: the functions promises and `await` leave around. */
const BUILTIN_CLOSURES: [RegExp, string][] = [
  [/AsyncFunctionAwait|AsyncGeneratorAwait/, 'await'],
  [/PromiseCapabilityDefaultResolve/, 'resolve'],
  [/PromiseCapabilityDefaultReject/, 'reject'],
  [/PromiseAll(Settled)?ResolveElement|PromiseAnyRejectElement/, 'Promise.all element'],
];

/** A function's name; V8's nameless builtin closures get the name of what they do (`await`, `resolve`). */
export function closureName(s: HeapSnapshot, o: number): string {
  const name = s.nodeName(o);
  if (name) return name;
  const code = s.internalEdgeTarget(o, 'code');
  const codeName = code < 0 ? '' : s.nodeName(code);
  for (const [pattern, label] of BUILTIN_CLOSURES) if (pattern.test(codeName)) return label;
  return '(anonymous)';
}

/** The file name of a module body's script (generator → function → its script), or null. */
function moduleFile(s: HeapSnapshot, generator: number): string | null {
  const fn = s.internalEdgeTarget(generator, 'function');
  const url = fn < 0 ? '' : scriptNameOf(s, fn);
  const file = url.slice(url.lastIndexOf('/') + 1);
  return file === '' ? null : file;
}

/** A suspended async function (V8 keeps its frame in a generator object): `runJob() (suspended)`. */
function suspendedFrameLabel(s: HeapSnapshot, o: number): string {
  const fn = s.internalEdgeTarget(o, 'function');
  return fn < 0 ? 'Generator' : `${closureName(s, fn)}() (suspended)`;
}

function stepTokens(a: HeapAnalysis, from: number, e: number, node: number, edgeText: string): string[] {
  const s = a.snapshot;
  const T = s.edgeType;
  const t = s.edgeTypeOf(e);
  const nt = s.nodeTypeOf(node);
  if (from === s.rootOrdinal) return [t === T.shortcut ? '(global)' : nodeLabel(a, node)];
  // synthetic roots list what they hold by slot number: the object says more than the slot
  if (nt === s.nodeType.synthetic || s.nodeTypeOf(from) === s.nodeType.synthetic) return [nodeLabel(a, node)];
  // backing stores a developer never names: an object's `elements`/`properties`, a Map's `table`
  if (t === T.internal && (edgeText === 'table' || edgeText === 'elements' || edgeText === 'properties')) {
    if (nt === s.nodeType.array || nt === s.nodeType.hidden) return [];
  }
  // an ES module's body is a suspended async function: it reads as the module's file
  if (
    nt === s.nodeType.object &&
    s.nodeName(node) === 'Generator' &&
    s.nodeName(from) === 'system / SourceTextModule'
  ) {
    const file = moduleFile(s, node);
    if (file) return [`${file} (module)`];
  }
  // Node's embedder lists (the cleanup queue) hold wrappers by a slot number that differs from run to run, and a
  // native wrapper's link to its JS object says nothing the object's own name does not
  if (s.nodeTypeOf(from) === s.nodeType.native && (t === T.element || edgeText === 'native_to_javascript')) {
    return nt === s.nodeType.native ? [] : [nodeLabel(a, node)];
  }
  // an unnamed reference (synthetic root lists, internal slots): the target's own name says more
  if ((t === T.internal || t === T.hidden) && isIndex(s.edgeName(e)) && !edgeText.startsWith('[')) {
    return [nodeLabel(a, node)];
  }
  // a context's `extension` slot holding a suspended async function's frame reads as that frame
  if (nt === s.nodeType.object && s.nodeName(node) === 'Generator' && t === T.internal) return [nodeLabel(a, node)];
  if (nt === s.nodeType.closure) {
    const fn = nodeLabel(a, node);
    return edgeText === s.nodeName(node) ? [fn] : [edgeText, fn];
  }
  // after an index or Map entry, say what sits there unless it is a plain container
  if (t === T.element || t === T.hidden || (t === T.internal && edgeText.startsWith('['))) {
    const label = nodeLabel(a, node);
    if (nt === s.nodeType.object && label !== 'Object' && label !== 'Array' && !label.startsWith('{')) {
      return [edgeText, label];
    }
  }
  return [edgeText];
}

/**
 * A Map entry reads as its key: V8's ordered hash table stores key, value, chain in consecutive slots, so the
 * value at slot i has its key at slot i-1 when that slot holds a string or a number.
 */
function mapEntryLabel(s: HeapSnapshot, table: number, slot: number): string {
  const key = s.internalEdgeTarget(table, String(slot - 1));
  if (key < 0) return '[entry]';
  const kt = s.nodeTypeOf(key);
  const T = s.nodeType;
  if (kt === T.string || kt === T['concatenated string'] || kt === T['sliced string']) {
    return `[${quote(nodeDisplayName(s, key))}]`;
  }
  return kt === T.number ? `[${s.nodeName(key)}]` : '[entry]';
}

function isIndex(name: string): boolean {
  return name.length > 0 && name.length < 11 && /^\d+$/.test(name);
}

function quote(v: string): string {
  const short = v.length > MAX_KEY ? `${v.slice(0, MAX_KEY)}…` : v;
  return `'${short.replace(/\n/g, '\\n')}'`;
}
