import type { HeapSnapshot } from '../snapshot/snapshot.js';
import { DETACHED, detachedNativeNodes } from './dom-state.js';
import { plainObjectInterfaces } from './plain-objects.js';

export interface NodeClasses {
  /** Class of each node: an index into `classNames`. */
  readonly classOf: Uint32Array;
  /**
   * Class names as DevTools shows them. A class is what DevTools groups by: objects of the same name whose
   * constructors are defined in different places are different classes, so a name may appear more than once.
   */
  readonly classNames: string[];
  /** DETACHED (dom-state.ts) for each native node DevTools shows as "Detached …"; null without DOM state. */
  readonly detachedNative: Uint8Array | null;
}

/**
 * The class of each node by DevTools' rules: objects and native objects by constructor name (`<div id=…>`
 * becomes `<div>`, plain objects by interface like `{a, b}`), `(system)` for hidden nodes, `(compiled code)`
 * for code, `Function` for closures, `RegExp`, and `(<type>)` for the rest: `(string)`, `(array)`,
 * `(concatenated string)`, `(number)`, `(synthetic)`, `(object shape)`, …
 * Objects with a source location are further split by that location (script, line, column).
 */
export function classifyNodes(s: HeapSnapshot): NodeClasses {
  const n = s.nodeCount;
  const { nodes, nodeFieldCount: nf, strings } = s;
  const types = s.nodeTypes;
  const nameOff = s.nodeNameOffset;
  const T = s.nodeType;
  const detached = detachedNativeNodes(s);
  const classOf = s.nodeSizedScratch() ?? new Uint32Array(n); // holds 1 + each plain object's shape until its class is known
  const { shapeNames } = plainObjectInterfaces(s, classOf);

  // "base" class ids: a string index for names used as they are, strings.length + k for derived names
  const derived = new Map<string, number>();
  const derivedNames: string[] = [];
  const derivedId = (name: string): number => {
    let id = derived.get(name);
    if (id === undefined) {
      id = strings.length + derivedNames.length;
      derived.set(name, id);
      derivedNames.push(name);
    }
    return id;
  };
  const byType: number[] = s.meta.nodeTypes.map((t, i) => {
    if (i === T.hidden) return derivedId('(system)');
    if (i === T.code) return derivedId('(compiled code)');
    if (i === T.closure) return derivedId('Function');
    if (i === T.regexp) return derivedId('RegExp');
    if (i === T.object || i === T.native) return -1;
    return derivedId(`(${t})`);
  });
  const shapeIds = shapeNames.map((name) => (name === null ? -1 : derivedId(name)));
  const classOfName = (name: string, nameIndex: number): number => {
    if (name.startsWith('<')) {
      const sp = name.indexOf(' ');
      return derivedId(sp === -1 ? name : `${name.substring(0, sp)}>`);
    }
    if (name.startsWith('Detached <')) {
      const sp = name.indexOf(' ', 10);
      return derivedId(sp === -1 ? name : `${name.substring(0, sp)}>`);
    }
    return nameIndex >= 0 ? nameIndex : derivedId(name);
  };
  const baseOfName = new Int32Array(strings.length).fill(-1); // per name string index, when not detached
  const nameClass = (nameIndex: number, isDetached: boolean): number => {
    if (isDetached) return classOfName(`Detached ${strings.get(nameIndex)}`, -1);
    let base = baseOfName[nameIndex];
    if (base < 0) base = baseOfName[nameIndex] = classOfName(strings.get(nameIndex), nameIndex);
    return base;
  };

  // location record per node (the last one wins), for splitting object classes by constructor location
  const L = locationLayout(s);
  const locs = s.locations;
  // V8 writes locations in node order: walk them alongside the nodes; otherwise index them first
  const sorted = locationsInNodeOrder(s, L);
  const locOf = sorted ? null : locationIndex(s, L);
  let next = 0; // the next location record to look at (sorted case)

  const classNames: string[] = [];
  const baseName = (base: number): string =>
    base < strings.length ? strings.get(base) : derivedNames[base - strings.length];
  let classOfBase = new Int32Array(strings.length + 64).fill(-1);
  const located = new LocatedClassTable();
  for (let o = 0; o < n; o++) {
    const t = types[o];
    let base = byType[t] ?? derivedId(`(${s.meta.nodeTypes[t] ?? 'unknown'})`);
    if (base < 0) {
      const shape = classOf[o] - 1;
      if (shape >= 0 && shapeIds[shape] >= 0) base = shapeIds[shape];
      else base = nameClass(nodes[o * nf + nameOff], detached !== null && detached[o] === DETACHED);
    }
    let cls: number;
    let li = -1;
    if (sorted) {
      while (next < locs.length && locs[next + L.node] < o) next += L.size;
      // the last record for o wins, as in DevTools' location map
      while (next < locs.length && locs[next + L.node] === o) {
        li = next;
        next += L.size;
      }
      if (t !== T.object) li = -1;
    } else if (locOf !== null && t === T.object) li = locOf[o];
    if (li >= 0) {
      cls = located.get(
        base,
        L.script < 0 ? 0 : locs[li + L.script],
        L.line < 0 ? 0 : locs[li + L.line],
        L.col < 0 ? 0 : locs[li + L.col],
        classNames.length,
      );
    } else {
      if (base >= classOfBase.length) {
        const grown = new Int32Array(base * 2).fill(-1);
        grown.set(classOfBase);
        classOfBase = grown;
      }
      cls = classOfBase[base];
      if (cls < 0) cls = classOfBase[base] = classNames.length;
    }
    if (cls === classNames.length) classNames.push(baseName(base));
    classOf[o] = cls;
  }
  return { classOf, classNames, detachedNative: detached };
}

/** Where each field sits in a `locations` record (layout from meta.location_fields; V8's default otherwise). */
export function locationLayout(s: HeapSnapshot): {
  size: number;
  node: number;
  script: number;
  line: number;
  col: number;
} {
  const f = s.meta.raw.location_fields;
  const fields = Array.isArray(f) && f.length > 0 ? (f as string[]) : ['object_index', 'script_id', 'line', 'column'];
  return {
    size: fields.length,
    node: fields.indexOf('object_index'),
    script: fields.indexOf('script_id'),
    line: fields.indexOf('line'),
    col: fields.indexOf('column'),
  };
}

/** Whether the location records come in non-decreasing node order (as V8 writes them). */
export function locationsInNodeOrder(s: HeapSnapshot, L: ReturnType<typeof locationLayout>): boolean {
  const locs = s.locations;
  if (L.node < 0) return false;
  for (let i = L.size; i + L.size <= locs.length; i += L.size)
    if (locs[i + L.node] < locs[i - L.size + L.node]) return false;
  return true;
}

/** Start (into s.locations) of each node's location record, the last one winning, or -1. */
export function locationIndex(s: HeapSnapshot, L: ReturnType<typeof locationLayout>): Int32Array | null {
  const locs = s.locations;
  if (locs.length === 0 || L.node < 0) return null;
  const out = new Int32Array(s.nodeCount).fill(-1);
  for (let i = 0; i + L.size <= locs.length; i += L.size) {
    const o = locs[i + L.node];
    if (o < s.nodeCount) out[o] = i;
  }
  return out;
}

/** (base class, script, line, column) → class id, open addressing over typed arrays. */
class LocatedClassTable {
  private size = 1 << 10;
  private keys = new Uint32Array(this.size * 4);
  private ids = new Int32Array(this.size).fill(-1);
  private used = 0;

  /** The class id for this key; `fresh` when it is new. */
  get(base: number, script: number, line: number, col: number, fresh: number): number {
    const i = this.find(base, script, line, col);
    if (this.ids[i] >= 0) return this.ids[i];
    this.put(i, base, script, line, col, fresh);
    if (++this.used * 2 > this.size) this.grow();
    return fresh;
  }

  private find(base: number, script: number, line: number, col: number): number {
    let h = Math.imul(base ^ 0x9e3779b9, 0x85ebca6b);
    h = Math.imul(h ^ script, 0xc2b2ae35);
    h = Math.imul(h ^ line, 0x27d4eb2f);
    h = Math.imul(h ^ col, 0x165667b1);
    let i = (h ^ (h >>> 15)) & (this.size - 1);
    const k = this.keys;
    while (this.ids[i] >= 0) {
      const b = i * 4;
      if (k[b] === base && k[b + 1] === script && k[b + 2] === line && k[b + 3] === col) return i;
      i = (i + 1) & (this.size - 1);
    }
    return i;
  }

  private put(i: number, base: number, script: number, line: number, col: number, id: number): void {
    const b = i * 4;
    this.keys[b] = base;
    this.keys[b + 1] = script;
    this.keys[b + 2] = line;
    this.keys[b + 3] = col;
    this.ids[i] = id;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldIds = this.ids;
    this.size *= 2;
    this.keys = new Uint32Array(this.size * 4);
    this.ids = new Int32Array(this.size).fill(-1);
    for (let j = 0; j < oldIds.length; j++) {
      if (oldIds[j] < 0) continue;
      const b = j * 4;
      const i = this.find(oldKeys[b], oldKeys[b + 1], oldKeys[b + 2], oldKeys[b + 3]);
      this.put(i, oldKeys[b], oldKeys[b + 1], oldKeys[b + 2], oldKeys[b + 3], oldIds[j]);
    }
  }
}
