// Hand-made graphs shared by the engine tests and the command tests; the numbers are worked out in the comments.
import { rmSync } from 'node:fs';
import { afterAll } from 'vitest';
import { node, type TinyEdge, type TinyNode, writeTinySnapshotInTempDir } from './tiny-snapshot.js';

/** A hand-made graph written once for a test file (in a temporary folder removed after its tests): its path. */
export function handGraphFile(prefix: string, fileName: string, nodes: TinyNode[], edges: TinyEdge[]): string {
  const { dir, file } = writeTinySnapshotInTempDir(prefix, fileName, nodes, edges);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return file;
}

// root ─shortcut→ global ─→ A ─→ B ─→ D        A ─weak→ E        F ⇄ G (nothing else points at them)
//   │                        └─→ C ─→ D        D ─→ D (self edge)
//   └─element→ (GC roots) ─element→ H ←shortcut─ global
// Essential edges: weak A→E no; self D→D no; shortcut global→H no (shortcuts count only from the root);
// (GC roots)→H no: H is page-owned (reached from global over a non-weak edge) and (GC roots) is not.
// So: D is dominated by A (diamond B/C); E and H have no essential retainer and hang from the root;
// F and G are only retained by each other (unreachable): DevTools attaches both to the root.
// Retained: D 40, B 20, C 30, A 10+20+30+40 = 100, global 100+100 = 200, E 50, F 60, G 70, H 5,
// (GC roots) 0, root 200+50+60+70+5 = 385.
export const DIAMOND_NODES: TinyNode[] = [
  node('root', 'synthetic', '', 1, 0),
  node('gcroots', 'synthetic', '(GC roots)', 3, 0),
  node('global', 'object', 'global', 5, 100),
  node('A', 'object', 'A', 7, 10),
  node('B', 'object', 'B', 9, 20),
  node('C', 'object', 'C', 11, 30),
  node('D', 'object', 'D', 13, 40),
  node('E', 'object', 'E', 15, 50),
  node('F', 'object', 'F', 17, 60),
  node('G', 'object', 'G', 19, 70),
  node('H', 'object', 'H', 21, 5),
];
export const DIAMOND_EDGES: TinyEdge[] = [
  ['root', 'element', 1, 'gcroots'],
  ['root', 'shortcut', 'global', 'global'],
  ['gcroots', 'element', 1, 'H'],
  ['global', 'property', 'a', 'A'],
  ['global', 'shortcut', 'h', 'H'],
  ['A', 'property', 'b', 'B'],
  ['A', 'property', 'c', 'C'],
  ['A', 'weak', 'w', 'E'],
  ['B', 'property', 'd', 'D'],
  ['C', 'property', 'd', 'D'],
  ['D', 'property', 'self', 'D'],
  ['F', 'property', 'g', 'G'],
  ['G', 'property', 'f', 'F'],
];

// global (100) owns a property array (40) alone: DevTools shows global 140 and the array 0.
// shared (array 16) is reached from global and from X: two owners, it keeps its 16.
// X (10) alone reaches hidden h1 (8) → h2 (4): X shows 22, h1 and h2 show 0.
// (GC roots) reaches hidden h3 (12): a synthetic owner takes nothing, h3 keeps 12.
// WeakMap wm (20) owns its table (array 32) → wm shows 52. The table → value internal edge named
// "… pair in WeakMap (table @<table id>)" does not count for dominators, the key → value one does:
// Value (30) is dominated by Key (10), so Key retains 40 (without the rule: global would dominate Value).
// A linked list N1 → N2 → N3 of class Node (10 each): N1 retains 30; the class retains 30, not 60.
// Retained: X 22, shared 16, wm 52, Key 40, N1 30, N2 20, N3 10, global 140+16+22+52+40+30 = 300,
// h3 12, (GC roots) 12, root 312.
export const WEAKMAP_PAIR = '1 / part of key (Key @31) -> value (Value @33) pair in WeakMap (table @29)';
export const FOLDING_NODES: TinyNode[] = [
  node('root', 'synthetic', '', 1, 0),
  node('global', 'object', 'global', 5, 100),
  node('props', 'array', '', 7, 40),
  node('shared', 'array', '', 9, 16),
  node('X', 'object', 'X', 11, 10),
  node('h1', 'hidden', 'system / Foo', 13, 8),
  node('h2', 'hidden', 'system / Bar', 15, 4),
  node('gcroots', 'synthetic', '(GC roots)', 17, 0),
  node('h3', 'hidden', 'system / Baz', 19, 12),
  node('wm', 'object', 'WeakMap', 27, 20),
  node('table', 'array', 'system / EphemeronHashTable', 29, 32),
  node('key', 'object', 'Key', 31, 10),
  node('value', 'object', 'Value', 33, 30),
  node('n1', 'object', 'Node', 41, 10),
  node('n2', 'object', 'Node', 43, 10),
  node('n3', 'object', 'Node', 45, 10),
];
export const FOLDING_EDGES: TinyEdge[] = [
  ['root', 'shortcut', 'global', 'global'],
  ['root', 'element', 1, 'gcroots'],
  ['global', 'internal', 'properties', 'props'],
  ['global', 'element', 0, 'shared'],
  ['global', 'property', 'x', 'X'],
  ['global', 'property', 'wm', 'wm'],
  ['global', 'property', 'key', 'key'],
  ['global', 'property', 'list', 'n1'],
  ['X', 'internal', 'shared', 'shared'],
  ['X', 'internal', 'h', 'h1'],
  ['h1', 'internal', 'h', 'h2'],
  ['gcroots', 'element', 1, 'h3'],
  ['wm', 'internal', 'table', 'table'],
  ['table', 'weak', 'key', 'key'],
  ['table', 'internal', WEAKMAP_PAIR, 'value'],
  ['key', 'internal', WEAKMAP_PAIR, 'value'],
  ['n1', 'property', 'next', 'n2'],
  ['n2', 'property', 'next', 'n3'],
];
