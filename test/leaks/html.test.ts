// The HTML report in a real browser: Debian's headless Chromium driven by playwright-core opens the report
// of a leak fixture, shows the suspect and its path, opens the dominator tree and sorts the histogram.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { heapwatch, runFixture } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
let dir: string;
let report: string;
let browser: Browser;
let analysis: { suspects: { id: number; accumulationPoint: { id: number } }[]; snapshot: { totalSize: number } };

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-html-'));
  const snap = join(dir, 'listeners.heapsnapshot');
  report = join(dir, 'report.html');
  runFixture('listeners.cjs', snap);
  const r = heapwatch('analyze', snap, '--json', '--html', report);
  expect(r.code).toBe(0);
  analysis = JSON.parse(r.out);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function openReport() {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('request', (req) => {
    if (!req.url().startsWith('file:')) problems.push(`network request: ${req.url()}`);
  });
  await page.goto(pathToFileURL(report).href);
  return { page, problems };
}

describe('HTML report', () => {
  test('one self-contained private file: no external scripts, styles, fonts or links to fetch', () => {
    expect(statSync(report).mode & 0o777).toBe(0o600);
    const html = readFileSync(report, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|url\(http|@font-face/i);
    expect(existsSync(`${report}.tmp-${process.pid}`)).toBe(false);
  });

  test('overview chart, the suspect with its path, duplicate strings', async () => {
    const { page, problems } = await openReport();
    expect(await page.locator('#class-chart rect').count()).toBeGreaterThan(3);
    const suspects = page.locator('.suspect');
    expect(await suspects.count()).toBe(analysis.suspects.length);
    expect(await suspects.first().locator('h3').textContent()).toMatch(
      new RegExp(
        `^1\\. orderEvents\\._events\\['order-updated'\\] \\(Array @\\d+ in EventEmitter @${analysis.suspects[0].id}\\) retains [\\d.]+ MB \\(\\d+\\.\\d% of the heap\\)$`,
      ),
    );
    expect(await suspects.first().locator('.what').textContent()).toContain('4,000 × onOrderUpdated()');
    const steps = await suspects.first().locator('.path .step').allTextContents();
    const at = steps.indexOf('orderEvents');
    expect(at).toBeGreaterThan(0);
    expect(steps.slice(at, at + 3)).toEqual(['orderEvents', '_events', 'order-updated']);
    expect(steps.slice(-3)).toEqual(['onOrderUpdated()', 'context', 'requestContext']);
    expect(await page.locator('#strings-table tbody tr').count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  test('the dominator tree opens lazily, row by row, down to the leaking listener array', async () => {
    const { page, problems } = await openReport();
    const rows = page.locator('#tree-body tr.tree-row');
    const root = rows.first();
    expect(await root.locator('.name').textContent()).toBe('(root)');
    // the root comes opened, as the text report starts with its children; nothing deeper until clicked
    expect(await root.getAttribute('aria-expanded')).toBe('true');
    expect(await page.locator('#tree-body tr.tree-row[data-depth="1"]').count()).toBeGreaterThan(3);
    expect(await page.locator('#tree-body tr.tree-row[data-depth="2"]').count()).toBe(0);
    // open the path global → Module → exports → handleRequest → context → orderEvents → _events → array
    const target = analysis.suspects[0].accumulationPoint.id;
    let opened = 1;
    for (let depth = 1; depth < 12; depth++) {
      const row = page.locator(`#tree-body tr.tree-row[data-depth="${depth}"]`).first();
      const id = Number(await row.getAttribute('data-id'));
      if (id === target) break;
      await row.click();
      opened++;
    }
    const arrayRow = page.locator(`#tree-body tr.tree-row[data-id="${target}"]`);
    expect(await arrayRow.count()).toBe(1);
    expect(await arrayRow.locator('.name').textContent()).toBe('Array');
    await arrayRow.click();
    const depth = Number(await arrayRow.getAttribute('data-depth'));
    const listeners = page.locator(`#tree-body tr.tree-row[data-depth="${depth + 1}"] .name`);
    // 4,000 listeners and the array's (empty) backing store: the page shows the biggest 100, sums up the rest
    expect(await listeners.count()).toBe(100);
    expect(new Set(await listeners.allTextContents())).toEqual(new Set(['onOrderUpdated']));
    expect(await page.locator(`#tree-body tr.more[data-depth="${depth + 1}"]`).textContent()).toMatch(
      /^… 3,901 more, /,
    );
    expect(opened).toBeGreaterThan(3);
    // closing a row removes its subtree
    await root.click();
    expect(await rows.count()).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  });

  test('the class histogram shows its top 25 rows, all on request, and its retained column at 420 px', async () => {
    const { page, problems } = await openReport();
    await page.setViewportSize({ width: 420, height: 800 });
    const rows = page.locator('#histogram-table tbody tr');
    expect(await rows.count()).toBe(25);
    const more = page.locator('#histogram-more');
    const total = (await more.textContent())!.match(/^Show all ([\d,]+) classes$/);
    expect(total).not.toBeNull();
    const retained = await page.locator('#histogram-table th[data-key="retainedSize"]').boundingBox();
    expect(retained!.x + retained!.width).toBeLessThanOrEqual(420);
    const lastCell = await rows.first().locator('td').nth(3).boundingBox();
    expect(lastCell!.x + lastCell!.width).toBeLessThanOrEqual(420);
    await more.click();
    expect(await rows.count()).toBe(Number(total![1].replace(/,/g, '')));
    expect(await more.textContent()).toBe('Show the top 25 only');
    await more.click();
    expect(await rows.count()).toBe(25);
    expect(problems).toEqual([]);
    await page.close();
  });

  test('the class histogram sorts by the column clicked, and back', async () => {
    const { page, problems } = await openReport();
    const column = async (i: number) =>
      (await page.locator(`#histogram-table tbody tr td:nth-child(${i})`).allTextContents()).map((t) =>
        Number(t.replace(/,/g, '')),
      );
    const header = page.locator('#histogram-table th[data-key="count"]');
    await header.click();
    const desc = await column(2);
    expect(desc.length).toBeGreaterThan(20);
    expect([...desc].sort((x, y) => y - x)).toEqual(desc);
    expect(await header.getAttribute('class')).toContain('sorted-desc');
    await header.click();
    const asc = await column(2);
    expect([...asc].sort((x, y) => x - y)).toEqual(asc);
    await page.locator('#histogram-table th[data-key="className"]').click();
    const names = await page.locator('#histogram-table tbody tr td:nth-child(1)').allTextContents();
    expect([...names].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))).toEqual(names);
    expect(problems).toEqual([]);
    await page.close();
  });
});
