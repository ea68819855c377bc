// Web page snapshots written by a real headless Chromium (CDP HeapProfiler.takeHeapSnapshot): the page's
// Window and native contexts are roots like Node's global, the browser engine's own C++ objects are not
// suspects, and detached DOM trees are a suspect kind of their own, counted exactly, by what keeps them.
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { SuspectJson } from '../../src/report/leak-findings.js';
import { heapwatch } from '../leaks/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const pages = fileURLToPath(new URL('./pages/', import.meta.url));
let browser: Browser;
let dir: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-browser-'));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Loads the page, writes its heap snapshot through the DevTools protocol and analyzes it. */
async function analyzePage(name: string): Promise<{ suspects: SuspectJson[]; text: string }> {
  const page = await browser.newPage();
  await page.goto(`file://${pages}${name}`);
  const cdp = await page.context().newCDPSession(page);
  const snap = join(dir, `${name}.heapsnapshot`);
  const fd = openSync(snap, 'wx', 0o600);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => writeSync(fd, chunk));
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  closeSync(fd);
  await page.close();
  const json = heapwatch('analyze', snap, '--json');
  const text = heapwatch('analyze', snap);
  expect(json.code, json.err).toBe(0);
  return { suspects: JSON.parse(json.out).suspects, text: text.out };
}

/** No suspect is the page's global or the engine's own C++ objects (headlines name the page's holders). */
function expectNoEngineSuspects(suspects: SuspectJson[]): void {
  for (const x of suspects) {
    expect(x.className).not.toMatch(/^Window/);
    expect(x.headline).not.toMatch(/^(\d+ instances of )?(Window|blink::|cppgc::)/);
  }
}

test('detached rows kept in an array: 200 detached DOM trees of 6 nodes, kept by removedRows', async () => {
  const { suspects, text } = await analyzePage('detached-array.html');
  expectNoEngineSuspects(suspects);
  const [top] = suspects;
  expect(top).toMatchObject({
    kind: 'detached',
    count: 200,
    className: 'Detached <li>',
    detached: { trees: 200, nodes: 1200 },
    holder: { name: 'removedRows', className: 'Array' },
  });
  expect(top.pathText).toMatch(/script_context_table → Context \/ scope @\d+ → removedRows → \[\d+\]$/);
  expect(text).toMatch(
    /\n {2}1\. 200 detached DOM trees \(1,200 nodes, e\.g\. Detached <li>\) retain [\d.]+ KB \([\d.]+% of the heap\), kept by removedRows \(Array @\d+\)\n/,
  );
  // nothing else keeps the rows
  expect(top.alsoHeldBy).toEqual([]);
  // the array is not reported a second time as an object suspect
  expect(suspects.filter((x) => x.holder?.name === 'removedRows')).toHaveLength(1);
});

test('an SPA caching its old views: 49 detached views (the 50th is on screen), kept by the router in its view cache and its leave callbacks', async () => {
  const { suspects, text } = await analyzePage('spa-views.html');
  expectNoEngineSuspects(suspects);
  const detached = suspects.filter((x) => x.kind === 'detached');
  expect(detached).toHaveLength(1);
  expect(detached[0]).toMatchObject({
    count: 49,
    className: 'Detached <section>',
    holder: { name: 'router', className: 'Object' },
  });
  // the path reaches the views through the cache; the callbacks' closures keep every one of them too
  expect(detached[0].pathText).toMatch(/ → router → viewCache → \['\/orders\/\d+'\]$/);
  expect(detached[0].alsoHeldBy).toMatchObject([{ name: 'router.leaveHandlers', className: 'Array', share: 1 }]);
  expect(text).toMatch(/\n {5}also held by router\.leaveHandlers \(Array @\d+\)/);
  // each view: the section, its table, 20 rows with a cell and its text
  expect(detached[0].detached?.nodes).toBe(49 * (2 + 20 * 3));
});

test('a resize listener added to window per render: the window event listeners, 300 of them', async () => {
  const { suspects } = await analyzePage('window-listeners.html');
  expectNoEngineSuspects(suspects);
  const [top] = suspects;
  expect(top.holder?.name).toBe('window event listeners');
  expect(top.holds[0]).toMatchObject({ className: 'blink::RegisteredEventListener', count: 300 });
});
