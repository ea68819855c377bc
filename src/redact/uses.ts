/**
 * What each string of a snapshot's table is used for, worked out from the node and edge types that name it.
 * A string named by code (a class, function, variable, script or internal name, a property of an object in
 * fast mode) is kept; a string that is only ever data (the value of a string, a heap number, the name of a
 * property of an object used as a dictionary, a Map key) is redacted.
 */

/** The string is the value of a string node (string, concatenated, sliced) or a dictionary key. */
export const DATA = 1;
/** The string names code: kept. */
export const CODE = 2;
/** The string names a heap number node (V8 writes the label 'heap number', or the value itself). */
export const NUMBER_NAME = 4;

const DATA_NODE_TYPES = ['string', 'concatenated string', 'sliced string'];

/** Per node type: the use its name is. */
export function nodeNameUses(nodeTypes: readonly string[]): Uint8Array {
  return Uint8Array.from(nodeTypes, (t) => (DATA_NODE_TYPES.includes(t) ? DATA : t === 'number' ? NUMBER_NAME : CODE));
}

/** Edge types whose name is a number, not a string index. */
const NUMBERED_EDGES = ['element', 'hidden'];

/** Per edge type: the use its name is (0: the name is a number; PROPERTY: depends on the owner's mode). */
export const PROPERTY = 8;
export function edgeNameUses(edgeTypes: readonly string[]): Uint8Array {
  return Uint8Array.from(edgeTypes, (t) => (NUMBERED_EDGES.includes(t) ? 0 : t === 'property' ? PROPERTY : CODE));
}

/** Heap number labels V8 writes instead of the value: kept (they say nothing). */
export const NUMBER_LABELS = ['heap number', 'smi number'];

/**
 * Collects the uses node by node: call node() for each node's name, then, per node, begin(), edge() for each of
 * its edges, end(). A node whose `properties` store is a dictionary (V8 tags it `(object properties)`, an
 * array; fast-mode objects have a `system / PropertyArray`) holds data in its property names, unless it is a
 * global object (its properties are the program's global variables).
 */
export class UseCollector {
  readonly uses: Uint8Array;
  private propertyNames: Uint32Array = new Uint32Array(64);
  private propertyCount = 0;
  private dictionary = false;

  constructor(
    stringCount: number,
    private readonly nodeRule: Uint8Array,
    private readonly edgeRule: Uint8Array,
    /** Per string index: whether it is 'properties' (the internal edge to an object's property store). */
    private readonly isPropertiesName: (name: number) => boolean,
  ) {
    this.uses = new Uint8Array(stringCount);
  }

  node(type: number, name: number): void {
    this.uses[name] |= this.nodeRule[type] ?? CODE;
  }

  begin(): void {
    this.propertyCount = 0;
    this.dictionary = false;
  }

  edge(type: number, name: number, internal: boolean, targetIsDictionaryStore: boolean): void {
    const rule = this.edgeRule[type] ?? 0;
    if (rule === 0) return;
    if (rule !== PROPERTY) {
      this.uses[name] |= rule;
      if (internal && targetIsDictionaryStore && this.isPropertiesName(name)) this.dictionary = true;
      return;
    }
    if (this.propertyCount === this.propertyNames.length) {
      const grown = new Uint32Array(this.propertyNames.length * 2);
      grown.set(this.propertyNames);
      this.propertyNames = grown;
    }
    this.propertyNames[this.propertyCount++] = name;
  }

  /** Whether the node begun last has its properties in a dictionary (end's isGlobal matters only then). */
  get dictionaryFound(): boolean {
    return this.dictionary;
  }

  end(isGlobal: boolean): void {
    const use = this.dictionary && !isGlobal ? DATA : CODE;
    for (let k = 0; k < this.propertyCount; k++) this.uses[this.propertyNames[k]] |= use;
  }
}
