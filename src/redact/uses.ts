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
