import type { HeapSnapshot } from '../snapshot/snapshot.js';
import { prefaulted } from './prefault.js';

// DevTools names plain objects (type object, name "Object") by the interface they match, like "{id, name, tags}".
// Interfaces are inferred from the snapshot: the most common leading property lists, each shared by at least
// 2 objects and by 1 in 1000 plain objects; an object matches the one with the most properties it all has.
const MAX_INTERFACE_NAME_LENGTH = 120;
const MIN_OBJECTS_PER_INTERFACE = 2;
const MIN_PROPORTION_PER_INTERFACE = 1000;
const NOT_OBJECT = 1;
const OBJECT = 2;

/** A property name as it appears inside `{…}`: quoted when it holds a comma, quote or brace. */
export function formatPropertyName(name: string): string {
  return /[,'"{}]/.test(name) ? JSON.stringify(name) : name;
}

/**
 * For each plain object, the interface name DevTools shows as its class, or null for "Object".
 * Objects are grouped by their sequence of property names first (a "shape"), so the work is per shape:
 * `shapeOf[o]` receives 1 + the shape of plain object o (0 for other nodes), `shapeNames[k]` shape k's class.
 */
export function plainObjectInterfaces(s: HeapSnapshot, shapeOf: Uint32Array): { shapeNames: (string | null)[] } {
  const n = s.nodeCount;
  const { nodes, edgeNames, edgeTypes, firstEdge, nodeFieldCount: nf } = s;
  const types = s.nodeTypes;
  const nameOff = s.nodeNameOffset;
  const objectType = s.nodeType.object;
  const property = s.edgeType.property;
  // a name index is "Object" when its string is (V8 writes each string once, but do not rely on it); each
  // object name's string is compared once: 0 not yet, NOT_OBJECT, OBJECT
  const objectName = prefaulted(new Uint8Array(s.strings.length));
  shapeOf.fill(0, 0, n);

  // intern shapes: open addressing on a hash of the property-name string indices
  let tableSize = 1 << 12;
  let table = new Int32Array(tableSize).fill(-1);
  const reps: number[] = []; // a representative node per shape
  const hashes: number[] = [];
  const counts: number[] = [];
  const hashOf = (o: number): number => {
    let h = 0x811c9dc5;
    for (let e = firstEdge[o], end = firstEdge[o + 1]; e < end; e++) {
      if (edgeTypes[e] !== property) continue;
      h = Math.imul(h ^ edgeNames[e], 0x01000193);
    }
    return h >>> 0;
  };
  const sameShape = (a: number, b: number): boolean => {
    let ea = firstEdge[a];
    let eb = firstEdge[b];
    const endA = firstEdge[a + 1];
    const endB = firstEdge[b + 1];
    for (;;) {
      while (ea < endA && edgeTypes[ea] !== property) ea++;
      while (eb < endB && edgeTypes[eb] !== property) eb++;
      if (ea === endA || eb === endB) return ea === endA && eb === endB;
      if (edgeNames[ea] !== edgeNames[eb]) return false;
      ea++;
      eb++;
    }
  };
  const insert = (h: number, id: number): void => {
    let i = h & (tableSize - 1);
    while (table[i] !== -1) i = (i + 1) & (tableSize - 1);
    table[i] = id;
  };
  let plainCount = 0;
  for (let o = 0; o < n; o++) {
    if (types[o] !== objectType) continue;
    const name = nodes[o * nf + nameOff];
    if (objectName[name] === 0) objectName[name] = s.strings.equals(name, 'Object') ? OBJECT : NOT_OBJECT;
    if (objectName[name] !== OBJECT) continue;
    plainCount++;
    const h = hashOf(o);
    let i = h & (tableSize - 1);
    let id = -1;
    while (table[i] !== -1) {
      const cand = table[i];
      if (hashes[cand] === h && sameShape(reps[cand], o)) {
        id = cand;
        break;
      }
      i = (i + 1) & (tableSize - 1);
    }
    if (id < 0) {
      id = reps.length;
      reps.push(o);
      hashes.push(h);
      counts.push(0);
      if (reps.length * 2 > tableSize) {
        tableSize *= 2;
        table = new Int32Array(tableSize).fill(-1);
        for (let k = 0; k < reps.length; k++) insert(hashes[k], k);
      } else table[i] = id;
    }
    counts[id]++;
    shapeOf[o] = id + 1;
  }

  const propertyNames = (o: number): string[] => {
    const out: string[] = [];
    for (let e = firstEdge[o], end = firstEdge[o + 1]; e < end; e++) {
      if (edgeTypes[e] === property) out.push(s.strings.get(edgeNames[e]));
    }
    return out;
  };

  // candidates in order of first appearance; the sort below is stable, as DevTools relies on
  const candidates = new Map<string, { name: string; properties: string[]; count: number }>();
  for (let id = 0; id < reps.length; id++) {
    let name = '{';
    const properties: string[] = [];
    for (const p of propertyNames(reps[id])) {
      if (p === '__proto__') continue;
      const formatted = formatPropertyName(p);
      if (name.length > 1 && name.length + formatted.length > MAX_INTERFACE_NAME_LENGTH) break;
      if (name.length !== 1) name += ', ';
      name += formatted;
      properties.push(p);
    }
    if (properties.length === 0) continue;
    name += '}';
    const c = candidates.get(name);
    if (c) c.count += counts[id];
    else candidates.set(name, { name, properties, count: counts[id] });
  }
  const minCount = Math.max(MIN_OBJECTS_PER_INTERFACE, plainCount / MIN_PROPORTION_PER_INTERFACE);
  const definitions = [...candidates.values()].sort((a, b) => b.count - a.count).filter((c) => c.count >= minCount);

  const shapeNames: (string | null)[] = [];
  const tree = buildPropertyTree(definitions);
  for (let id = 0; id < reps.length; id++) shapeNames.push(bestInterface(tree, propertyNames(reps[id]).sort()));
  return { shapeNames };
}

interface TreeNode {
  next: Map<string, TreeNode>;
  match: { name: string; propertyCount: number; index: number } | null;
  greatestNext: string | null;
}

function buildPropertyTree(definitions: { name: string; properties: string[] }[]): TreeNode {
  const root: TreeNode = { next: new Map(), match: null, greatestNext: null };
  definitions.forEach((def, index) => {
    const props = [...def.properties].sort();
    let node = root;
    for (const p of props) {
      let child = node.next.get(p);
      if (!child) {
        child = { next: new Map(), match: null, greatestNext: null };
        node.next.set(p, child);
        if (node.greatestNext === null || node.greatestNext < p) node.greatestNext = p;
      }
      node = child;
    }
    node.match ??= { name: def.name, propertyCount: props.length, index };
  });
  return root;
}

type Match = { name: string | null; propertyCount: number; index: number };

function better(a: Match, b: Match | null): Match {
  if (!b || a.propertyCount > b.propertyCount) return a;
  if (b.propertyCount > a.propertyCount) return b;
  return a.index <= b.index ? a : b;
}

/** The interface with the most properties all present in `sorted` (earlier definitions win ties). */
function bestInterface(tree: TreeNode, sorted: string[]): string | null {
  let best: Match = better({ name: null, propertyCount: 0, index: Number.POSITIVE_INFINITY }, tree.match);
  let states: TreeNode[] = [tree];
  for (const p of sorted) {
    const kept: TreeNode[] = [];
    const added: TreeNode[] = [];
    for (const st of states) {
      if (!(st.greatestNext === null || p >= st.greatestNext)) kept.push(st);
      const nxt = st.next.get(p);
      if (nxt) {
        added.push(nxt);
        if (nxt.match) best = better(best, nxt.match);
      }
    }
    states = kept;
    for (const a of added) if (!states.includes(a)) states.push(a);
  }
  return best.name;
}
