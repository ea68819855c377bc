// Which path a report names when several reach the same holder: the program's own references (an ES module, a
// global) before what was merely running when the snapshot was written (the current microtask, the stack, an
// in-flight socket in Node's cleanup queue), however much shorter those are. Hand-made graph in the shape of the
// push sender's near-heap-limit dump (fixtures/push-sender, `heapwatch demo`).
import { expect, test } from 'vitest';
import { handGraphFile } from '../helpers/hand-graphs.js';
import { node, type TinyEdge, type TinyNode } from '../helpers/tiny-snapshot.js';
import { heapwatch } from './helpers.js';

// root ─[1]→ (GC roots) ─[0]→ (Strong roots) ─current_microtask→ Job ─<1>→ Ctx2 ─previous→ Ctx ─sendHistory→ Map   (5)
// root ─[2]→ Env ─principal_realm→ Realm ─cleanup_queue→ Q ─[0]→ SocketWrap ─native_to_javascript→ Socket
//        ─callback→ F ─context→ Ctx                                                                          (7 to Ctx)
//   Q ─[1]→ NativeModuleWrap ─native_to_javascript→ ModuleWrap ─2→ SourceTextModule ─<4>→ Generator ─context→ Ctx (8)
// Map ─table→ T ─3→ key, T ─4→ Entry (the 1000 bytes that make it the suspect)
const NODES: TinyNode[] = [
  node('root', 'synthetic', '', 1, 0),
  node('gc', 'synthetic', '(GC roots)', 3, 0),
  node('strong', 'synthetic', '(Strong roots)', 5, 0),
  node('job', 'hidden', 'system / PromiseFulfillReactionJobTask', 7, 10),
  node('ctx2', 'object', 'system / Context', 9, 10),
  node('ctx', 'object', 'system / Context', 11, 10),
  node('map', 'object', 'Map', 13, 10),
  node('table', 'array', '', 15, 10),
  node('key', 'number', '1', 17, 0),
  node('entry', 'object', 'Batch', 19, 1000),
  node('env', 'synthetic', 'Node / Environment', 21, 0),
  node('realm', 'native', 'Node / PrincipalRealm', 23, 10),
  node('queue', 'native', 'Node / CleanupQueue', 25, 10),
  node('socketWrap', 'native', 'Node / TCPSocketWrap', 27, 10),
  node('socket', 'object', 'TCP', 29, 10),
  node('callback', 'closure', 'onread', 31, 10),
  node('moduleWrapNative', 'native', 'Node / ModuleWrap', 33, 10),
  node('moduleWrap', 'object', 'ModuleWrap', 35, 10),
  node('module', 'hidden', 'system / SourceTextModule', 37, 10),
  node('body', 'object', 'Generator', 39, 10),
];
const EDGES: TinyEdge[] = [
  ['root', 'element', 1, 'gc'],
  ['root', 'element', 2, 'env'],
  ['gc', 'element', 0, 'strong'],
  ['strong', 'internal', 'current_microtask', 'job'],
  ['job', 'hidden', 1, 'ctx2'],
  ['ctx2', 'internal', 'previous', 'ctx'],
  ['ctx', 'context', 'sendHistory', 'map'],
  ['map', 'internal', 'table', 'table'],
  ['table', 'internal', '3', 'key'],
  ['table', 'internal', '4', 'entry'],
  ['env', 'internal', 'principal_realm', 'realm'],
  ['realm', 'internal', 'cleanup_queue', 'queue'],
  ['queue', 'element', 0, 'socketWrap'],
  ['socketWrap', 'internal', 'native_to_javascript', 'socket'],
  ['socket', 'property', 'callback', 'callback'],
  ['callback', 'internal', 'context', 'ctx'],
  ['queue', 'element', 1, 'moduleWrapNative'],
  ['moduleWrapNative', 'internal', 'native_to_javascript', 'moduleWrap'],
  ['moduleWrap', 'internal', '2', 'module'],
  ['module', 'hidden', 4, 'body'],
  ['body', 'internal', 'context', 'ctx'],
];

const file = handGraphFile('heapwatch-holder-', 'holder.heapsnapshot', NODES, EDGES);

const MODULE_PATH =
  'Node / Environment → Node / PrincipalRealm → cleanup_queue → ModuleWrap → SourceTextModule → Generator → context → sendHistory';

test("analyze's suspect path goes through the module, not the microtask or the socket in flight", () => {
  const r = heapwatch('analyze', file, '--json');
  expect(r.code).toBe(0);
  const doc = JSON.parse(r.out);
  expect(doc.suspects[0].pathText).toBe(`${MODULE_PATH} → [1] → Batch`);
});

test('`path` lists the module path first, the in-flight ones after it', () => {
  const r = heapwatch('path', file, '13', '-n', '3', '--json');
  expect(r.code).toBe(0);
  const texts = JSON.parse(r.out).paths.map((p: { text: string }) => p.text);
  expect(texts[0]).toBe(MODULE_PATH);
  expect(texts.slice(1).sort()).toEqual([
    '(GC roots) → (Strong roots) → PromiseFulfillReactionJobTask → Context → previous → sendHistory',
    'Node / Environment → Node / PrincipalRealm → cleanup_queue → TCP → callback → onread() → context → sendHistory',
  ]);
});
