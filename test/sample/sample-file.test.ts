// `heapwatch sample --from`: profiles written by the inspector itself, bad files, bad options, and the HTML
// report in headless Chromium.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../live/helpers.js';
import { lineOf } from './helpers.js';

const WRITER = join(ROOT, 'test/sample/fixtures/write-profile.cjs');
const CHROMIUM = '/usr/bin/chromium';
let dir: string;

function heapwatch(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/heapwatch.js'), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-sample-file-'));
  const r = spawnSync(process.execPath, ['--no-turbo-inlining', WRITER, dir], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`write-profile.cjs failed: ${r.stderr}`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sample --from', () => {
  const keepRecords = lineOf(WRITER, 'function keepRecords(');

  it("reads HeapProfiler.stopSampling's result and DevTools' .heapprofile to the same sites", () => {
    const reports = ['stop-sampling.json', 'devtools.heapprofile'].map((name) => {
      const r = heapwatch('sample', '--from', join(dir, name), '--json');
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      return JSON.parse(r.out);
    });
    const [wrapped, plain] = reports;
    expect(wrapped.sites[0]).toMatchObject({
      function: 'keepRecords',
      url: WRITER,
      line: keepRecords.line,
      column: keepRecords.column + 'function keepRecords'.length,
    });
    expect(wrapped.sites[0].percent).toBeGreaterThan(90);
    // 20,000 records of ~300 bytes sampled every 4 KB: V8's estimate is within a factor of two of 6 MB
    expect(wrapped.sites[0].selfBytes).toBeGreaterThan(3e6);
    expect(wrapped.sites[0].selfBytes).toBeLessThan(12e6);
    expect(wrapped.intervalBytes).toBeNull();
    expect(wrapped.target).toBeNull();
    expect({ ...wrapped, file: null }).toEqual({ ...plain, file: null });
    const text = heapwatch('sample', '--from', join(dir, 'devtools.heapprofile'));
    expect(text.out).toContain('sampling interval unknown');
    expect(text.out).toContain(`keepRecords (${WRITER}:${keepRecords.line}:`);
  });

  const profileText = (): string => readFileSync(join(dir, 'devtools.heapprofile'), 'utf8');
  const bad = (name: string, text: string): string => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const oneLine = (r: { code: number | null; out: string; err: string }): string => {
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.endsWith('\n')).toBe(true);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    return r.err.trimEnd();
  };

  it("leaves heapwatch's own guard frames out of every report", () => {
    // a process under the guard with its sampling on (HEAPWATCH_SAMPLE=1) reads that profile in-process
    const app = join(dir, 'guarded.cjs');
    const file = join(dir, 'guarded.heapprofile');
    writeFileSync(
      app,
      `const keep = [];
for (let i = 0; i < 2000; i++) keep.push({ i, s: 'x'.repeat(40) + i });
const s = new (require('node:inspector').Session)();
s.connect();
s.post('HeapProfiler.getSamplingProfile', (err, r) => {
  if (err) throw err;
  require('node:fs').writeFileSync(process.argv[2], JSON.stringify(r.profile));
});
`,
    );
    const run = spawnSync(process.execPath, ['-r', join(ROOT, 'dist/guard/register.cjs'), app, file], {
      env: { ...process.env, HEAPWATCH_DIR: dir, HEAPWATCH_SAMPLE: '1', HEAPWATCH_SAMPLE_INTERVAL: '1024' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(0);
    // the guard's startup (its socket, its memory watch) holds sampled bytes in the raw profile...
    type Node = { callFrame: { url: string }; selfSize: number; children: Node[] };
    const guardDir = join(ROOT, 'dist/guard/');
    let guardBytes = 0;
    const walk = (n: Node, inGuard: boolean): void => {
      const g = inGuard || n.callFrame.url.startsWith(guardDir);
      if (g) guardBytes += n.selfSize;
      for (const c of n.children) walk(c, g);
    };
    walk(JSON.parse(readFileSync(file, 'utf8')).head, false);
    expect(guardBytes).toBeGreaterThan(0);
    // ...and no report names it
    const r = heapwatch('sample', '--from', file, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.sites[0].url).toBe(app);
    expect(report.sites.filter((s: { url: string | null }) => s.url?.startsWith(guardDir))).toEqual([]);
    expect(heapwatch('sample', '--from', file).out).not.toContain(guardDir);
  });

  it('refuses bad files in one line with the byte offset, exit 2', () => {
    const notJson = bad('not-json.heapprofile', 'hello');
    expect(oneLine(heapwatch('sample', '--from', notJson))).toBe(
      `heapwatch: not a heap profile: not valid JSON (${notJson}:0)`,
    );
    const text = profileText();
    const cut = text.slice(0, Math.floor(text.length / 2));
    const truncated = bad('truncated.heapprofile', cut);
    expect(oneLine(heapwatch('sample', '--from', truncated))).toBe(
      `heapwatch: not a heap profile: the file ends early (truncated?) (${truncated}:${Buffer.byteLength(cut)})`,
    );
    const snapshot = bad('x.heapprofile', '{"snapshot":{"meta":{}},"nodes":[],"edges":[],"strings":[]}');
    expect(oneLine(heapwatch('sample', '--from', snapshot))).toBe(
      `heapwatch: not a heap profile: this is a heap snapshot (read it with heapwatch analyze) (${snapshot}:0)`,
    );
    // a node that is its own ancestor: its child carries the head's id
    const frame = '"callFrame":{"functionName":"f","scriptId":"1","url":"/a.js","lineNumber":0,"columnNumber":0}';
    const cycleText = `{"head":{${frame},"selfSize":0,"id":1,"children":[{${frame},"selfSize":8,"id":12,"children":[{${frame},"selfSize":8,"id":1,"children":[]}]}]},"samples":[]}`;
    const cycle = bad('cycle.heapprofile', cycleText);
    const second = cycleText.indexOf('"id":1,', cycleText.indexOf('"id":1,') + 1);
    expect(oneLine(heapwatch('sample', '--from', cycle))).toBe(
      `heapwatch: bad heap profile: node id 1 appears twice in the call tree (a cycle or a duplicate) (${cycle}:${second})`,
    );
    const noFrame = bad('no-frame.heapprofile', '{"head":{"selfSize":0,"id":1,"children":[]}}');
    expect(oneLine(heapwatch('sample', '--from', noFrame))).toMatch(/node 1 has no "callFrame" \(.*:\d+\)$/);
    const negative = bad('negative.heapprofile', text.replace('"selfSize":0', '"selfSize":-5'));
    expect(oneLine(heapwatch('sample', '--from', negative))).toMatch(
      /bad heap profile: node 1 has no valid "selfSize"/,
    );
    const noHead = bad('no-head.heapprofile', '{"samples":[]}');
    expect(oneLine(heapwatch('sample', '--from', noHead))).toBe(
      `heapwatch: not a heap profile: no "head" node (${noHead}:0)`,
    );
    mkdirSync(join(dir, 'a-folder.heapprofile'));
    expect(oneLine(heapwatch('sample', '--from', join(dir, 'a-folder.heapprofile')))).toBe(
      `heapwatch: not a file: ${join(dir, 'a-folder.heapprofile')}`,
    );
    expect(oneLine(heapwatch('sample', '--from', join(dir, 'missing.heapprofile')))).toBe(
      `heapwatch: no such file: ${join(dir, 'missing.heapprofile')}`,
    );
  });

  it('checks every option before it attaches or reads anything', () => {
    const p = join(dir, 'devtools.heapprofile');
    const cases: [string[], string][] = [
      [[], 'sample needs either a target (pid, host:port, ws://) or --from <file.heapprofile>, not both'],
      [
        ['123', '--from', p],
        'sample needs either a target (pid, host:port, ws://) or --from <file.heapprofile>, not both',
      ],
      [['--from', p, '--duration', '5s'], '--duration samples a live process; it cannot be used with --from'],
      [
        ['--from', p, '--include-collected'],
        '--include-collected samples a live process; it cannot be used with --from',
      ],
      [['1', '--count', '3'], '--count needs --every (growth mode)'],
      [
        ['1', '--every', '1s', '--duration', '5s'],
        '--duration and --every cannot be used together (growth mode lasts --every × --count)',
      ],
      [['1', '--every', '1s', '--count', '1'], '--count must be at least 2: growth compares profiles'],
      [
        ['1', '--interval-bytes', '0'],
        '--interval-bytes must be a whole number of bytes from 64 to 1073741824, got: 0',
      ],
      [
        ['1', '--interval-bytes', '32k'],
        '--interval-bytes must be a whole number of bytes from 64 to 1073741824, got: 32k',
      ],
      [['1', '--duration', 'soon'], '--duration must look like 250ms, 1s or 2m, got: soon'],
      [
        ['1', '-o', join(dir, 'no-such-dir', 'p.heapprofile')],
        `cannot write ${join(dir, 'no-such-dir')}: no such directory`,
      ],
      [['1', '--html', dir], `cannot write ${dir}: exists and is not a regular file`],
    ];
    for (const [args, message] of cases) expect(oneLine(heapwatch('sample', ...args))).toBe(`heapwatch: ${message}`);
  });
});

describe('sample --html in Chromium', () => {
  it('shows the flame graph, zooms into a frame on click, and lists the sites', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
    const html = join(dir, 'report.html');
    const r = heapwatch('sample', '--from', join(dir, 'stop-sampling.json'), '--html', html);
    expect(r.code).toBe(0);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('request', (req) => {
        if (!req.url().startsWith('file:')) problems.push(`network request: ${req.url()}`);
      });
      await page.goto(pathToFileURL(html).href);
      const frame = page.locator('#flame-graph div.f', { hasText: /^keepRecords \(/ }).first();
      await frame.waitFor();
      const rootWidth = await page.locator('#flame-graph div.f.root').evaluate((e) => e.getBoundingClientRect().width);
      const before = await frame.evaluate((e) => e.getBoundingClientRect().width);
      expect(before).toBeLessThanOrEqual(rootWidth);
      await frame.click();
      await expect.poll(() => page.locator('#crumbs').textContent()).toMatch(/^Showing keepRecords \(/);
      const zoomed = page.locator('#flame-graph div.f:not(.anc)', { hasText: /^keepRecords \(/ }).first();
      expect(await zoomed.evaluate((e) => e.getBoundingClientRect().width)).toBeCloseTo(rootWidth, 0);
      await page.locator('#flame-graph div.f.root').click();
      await expect.poll(() => page.locator('#crumbs').textContent()).toMatch(/^Showing \(all sampled memory\)/);
      const firstRow = await page.locator('#sites-table tbody tr').first().locator('td').first().textContent();
      expect(firstRow).toMatch(/^keepRecords \(.*write-profile\.cjs:\d+:\d+\)$/);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
