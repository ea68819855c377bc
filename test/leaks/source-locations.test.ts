// Source locations from the snapshot's `locations` section: every function on a suspect's path, in `path` and
// `node` output and in the HTML dominator tree says where it is defined, checked against the fixture's text.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { nodeBinary } from '../snapshot/node-versions.js';
import { fixtures, heapwatch, runFixture, runFixtureWith } from './helpers.js';

let dir: string;
let snap: string;
const LISTENERS = join(fixtures, 'listeners.cjs');

/** Where V8 says a function starts: the `(` after its name, 1-based, found in the fixture's source text. */
function definedAt(file: string, name: string): { line: number; column: number } {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(`function ${name}(`));
  if (i < 0) throw new Error(`function ${name} not in ${file}`);
  return { line: i + 1, column: lines[i].indexOf(`function ${name}(`) + `function ${name}`.length + 1 };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-locations-'));
  snap = join(dir, 'listeners.heapsnapshot');
  runFixture('listeners.cjs', snap);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('source locations of functions', () => {
  test('the suspect path: JSON steps carry function and location, the text says where each is defined', () => {
    const r = heapwatch('analyze', snap, '--json');
    expect(r.code).toBe(0);
    const [top] = JSON.parse(r.out).suspects;
    const listener = top.path.find((st: { function?: string }) => st.function === 'onOrderUpdated');
    expect(listener.location).toEqual({ url: LISTENERS, ...definedAt(LISTENERS, 'onOrderUpdated') });
    // steps that are not functions have no such fields
    const context = top.path.find((st: { edge: string }) => st.edge === 'requestContext');
    expect(context).not.toHaveProperty('location');
    expect(context).not.toHaveProperty('function');
    const at = definedAt(LISTENERS, 'onOrderUpdated');
    const text = heapwatch('analyze', snap, '--top', '1');
    expect(text.out).toContain(`     defined at: `);
    expect(text.out).toContain(`onOrderUpdated() (listeners.cjs:${at.line}:${at.column})`);
    // the headline: what accumulates, and where that function is defined
    expect(top.holds[0]).toMatchObject({ className: 'onOrderUpdated()', count: 4000, location: listener.location });
    expect(text.out).toContain(`: 4,000 × onOrderUpdated() (listeners.cjs:${at.line}:${at.column}) 2.`);

    // the same function through `node` and `path`
    const node = heapwatch('node', snap, String(listener.id), '--json');
    expect(JSON.parse(node.out).nodes[0].location).toEqual(listener.location);
    const nodeText = heapwatch('node', snap, String(listener.id));
    expect(nodeText.out.split('\n')[0]).toMatch(
      new RegExp(`onOrderUpdated @${listener.id} \\(listeners\\.cjs:${at.line}:${at.column}\\)  \\(closure\\)$`),
    );
    const path = heapwatch('path', snap, String(top.path.at(-1).id), '--json');
    const steps = JSON.parse(path.out).paths[0].steps;
    expect(steps.find((st: { function?: string }) => st.function === 'onOrderUpdated').location).toEqual(
      listener.location,
    );
    const ofListener = JSON.parse(heapwatch('path', snap, String(listener.id), '--json').out);
    expect(ofListener.object.location).toEqual(listener.location);
    const pathText = heapwatch('path', snap, String(top.path.at(-1).id));
    expect(pathText.out).toContain(`onOrderUpdated() (listeners.cjs:${at.line}:${at.column})`);
  });

  test('the HTML report shows the location in the dominator tree and under the suspect', () => {
    const html = join(dir, 'report.html');
    expect(heapwatch('analyze', snap, '--html', html).code).toBe(0);
    const page = readFileSync(html, 'utf8');
    const at = definedAt(LISTENERS, 'onOrderUpdated');
    expect(page).toContain(`"onOrderUpdated","Function",`);
    expect(page).toContain(`," (listeners.cjs:${at.line}:${at.column})"]`);
    expect(page).toContain(`"location":{"url":${JSON.stringify(LISTENERS)},"line":${at.line},"column":${at.column}}`);
  });

  test("Node 24's layout (no trace_node_id, the SharedFunctionInfo's edge named script): the same location", () => {
    const snap24 = join(dir, 'listeners-24.heapsnapshot');
    runFixtureWith(nodeBinary(24), 'listeners.cjs', snap24);
    const r = heapwatch('analyze', snap24, '--json');
    expect(r.code).toBe(0);
    const [top] = JSON.parse(r.out).suspects;
    const listener = top.path.find((st: { function?: string }) => st.function === 'onOrderUpdated');
    expect(listener.location).toEqual({ url: LISTENERS, ...definedAt(LISTENERS, 'onOrderUpdated') });
  });
});

describe('source locations of classes', () => {
  test('histo and analyze name where a class constructor is defined, in text, JSON and HTML', () => {
    const CACHE = join(fixtures, 'cache.cjs');
    const cacheSnap = join(dir, 'cache.heapsnapshot');
    runFixture('cache.cjs', cacheSnap);
    // V8 records a class by its constructor: the `(` after `constructor`, 1-based, as for functions
    const lines = readFileSync(CACHE, 'utf8').split('\n');
    const i = lines.findIndex((l) => l.includes('class Session {'));
    const at = { line: i + 2, column: lines[i + 1].indexOf('constructor(') + 'constructor'.length + 1 };
    const location = { url: CACHE, ...at };

    const histo = JSON.parse(heapwatch('histo', cacheSnap, '--json', '--no-index').out);
    const session = histo.classes.find((r: { className: string }) => r.className === 'Session');
    expect(session).toMatchObject({ count: 4000, location });
    // classes without a constructor in a script keep their fields only
    expect(histo.classes.find((r: { className: string }) => r.className === '(string)')).not.toHaveProperty('location');
    expect(heapwatch('histo', cacheSnap, '--no-index').out).toMatch(
      new RegExp(`\\s4,000 .* Session \\(cache\\.cjs:${at.line}:${at.column}\\)\\n`),
    );

    const analyzed = JSON.parse(heapwatch('analyze', cacheSnap, '--json', '--no-index').out);
    expect(analyzed.histogram.find((r: { className: string }) => r.className === 'Session').location).toEqual(location);
    expect(heapwatch('analyze', cacheSnap, '--no-index').out).toContain(`Session (cache.cjs:${at.line}:${at.column})`);
    const html = join(dir, 'cache.html');
    expect(heapwatch('analyze', cacheSnap, '--no-index', '--html', html).code).toBe(0);
    expect(readFileSync(html, 'utf8')).toContain(
      `"className":"Session","count":4000,"shallowSize":${session.shallowSize},"retainedSize":${session.retainedSize},"location":${JSON.stringify(location)}}`,
    );
  });
});
