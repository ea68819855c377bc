// `heapwatch mcp` driven by the MCP SDK's own client over stdio, as an agent's client runs it: the tools on real
// snapshots of the leak fixtures and on a real live process, the answers kept in memory, and the refusals.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REGISTER_CJS } from '../guard/helpers.js';
import { bin, heapwatch, runFixture } from '../leaks/helpers.js';
import { CJS_TARGET, killAll, ROOT, startTarget, type Target } from '../live/helpers.js';
import { ALLOCATOR, lineOf } from '../sample/helpers.js';

interface FileMeta {
  file: string;
  cache: 'hit' | 'loaded';
  source: 'index' | 'snapshot';
  loadNumber: number;
  analysisBytes: number;
}
interface Meta {
  files: FileMeta[];
  loads: number;
  cachedAnalyses: number;
  error?: { code: string; message: string };
}

let work: string;
let root: string;
let dumps: string;
let index: string;
let cacheFile: string;
let growth: string[];
const servers: Client[] = [];
/** Per client, every progress notification as it came off the wire (see call). */
const progressSeen = new WeakMap<Client, Progress[]>();

/** Starts `heapwatch mcp <args>` and connects the SDK's client to it over stdio. */
async function startServer(args: string[]): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin, 'mcp', ...args],
    cwd: ROOT,
    env: process.env as Record<string, string>, // the SDK passes only PATH, HOME and a few by default
    stderr: 'pipe',
  });
  const client = new Client({ name: 'heapwatch-test', version: '1.0.0' });
  await client.connect(transport);
  // the SDK's client drops a progress notification that arrives in the same read as its response (it hands
  // notifications on a microtask later, after the response has removed the handler), so record them off the wire
  const seen: Progress[] = [];
  const deliver = transport.onmessage;
  transport.onmessage = (message, extra) => {
    if ('method' in message && message.method === 'notifications/progress') {
      const { progressToken: _token, ...progress } = message.params as Progress & { progressToken: unknown };
      seen.push(progress);
    }
    deliver?.(message, extra);
  };
  progressSeen.set(client, seen);
  servers.push(client);
  return client;
}

// biome-ignore lint/suspicious/noExplicitAny: the tools' JSON documents, checked field by field below
type Doc = any;

async function call(
  client: Client,
  name: string,
  args: Record<string, unknown>,
  onprogress?: (p: Progress) => void,
): Promise<{ result: CallToolResult; meta: Meta; doc: Doc }> {
  const seen = progressSeen.get(client) as Progress[];
  const before = seen.length; // calls are made one at a time: what comes after is this call's
  const result = (await client.callTool({ name, arguments: args }, undefined, {
    onprogress: onprogress && (() => {}), // asks the server for progress; what it sent is read off the wire
    timeout: 120_000,
  })) as CallToolResult;
  if (onprogress) for (const p of seen.slice(before)) onprogress(p);
  const text = result.content[0]?.type === 'text' ? result.content[0].text : '';
  const meta = (result._meta as { heapwatch: Meta }).heapwatch;
  return { result, meta, doc: result.isError ? undefined : JSON.parse(text.split('\n')[0]) };
}

function errorText(result: CallToolResult): string {
  expect(result.isError).toBe(true);
  return result.content[0]?.type === 'text' ? result.content[0].text : '';
}

let server: Client;
let target: Target;
/** Leaks at a known line (see test/sample): for `sample`. */
let allocator: Target;
/** Runs heapwatch/register: reached over the guard's socket. */
let guarded: Target;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'heapwatch-mcp-'));
  root = join(work, 'root');
  dumps = join(work, 'dumps');
  index = join(work, 'index');
  const outside = join(work, 'outside');
  for (const d of [root, dumps, outside, join(work, 'guard')]) mkdirSync(d, { mode: 0o700 });
  chmodSync(dumps, 0o700);
  cacheFile = join(root, 'cache.heapsnapshot');
  runFixture('cache.cjs', cacheFile);
  growth = ['first', 'second', 'third'].map((n) => join(root, `${n}.heapsnapshot`));
  runFixture('growth.cjs', ...growth, '2000');
  copyFileSync(cacheFile, join(outside, 'secret.heapsnapshot'));
  symlinkSync(join(outside, 'secret.heapsnapshot'), join(root, 'escape.heapsnapshot'));
  [server, target, allocator, guarded] = await Promise.all([
    startServer(['--root', root, '--dump-dir', dumps, '--index-dir', index]),
    startTarget(['--inspect-port=0']),
    startTarget(['--inspect-port=0', '--no-turbo-inlining'], ALLOCATOR),
    startTarget(['--require', REGISTER_CJS], CJS_TARGET, { HEAPWATCH_DIR: join(work, 'guard') }),
  ]);
}, 180_000);

afterAll(async () => {
  for (const c of servers) await c.close();
  killAll();
  rmSync(work, { recursive: true, force: true });
});

// each case may load a snapshot or dump a process: on two busy cores that can take longer than the default minute
describe('heapwatch mcp', { timeout: 180_000 }, () => {
  test('lists every tool with its documented parameters', async () => {
    const { tools } = await server.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      'analyze',
      'find',
      'path',
      'node',
      'histogram',
      'diff',
      'ps',
      'gc',
      'dump',
      'sample',
    ]);
    const params = Object.fromEntries(tools.map((t) => [t.name, Object.keys(t.inputSchema.properties ?? {})]));
    expect(params).toMatchObject({
      analyze: ['file', 'top', 'suspects'],
      find: ['file', 'className', 'name', 'limit'],
      path: ['file', 'id', 'count'],
      node: ['file', 'ids', 'retainers'],
      histogram: ['file', 'sort', 'top'],
      diff: ['files', 'top'],
      ps: [],
      gc: ['target', 'samples', 'intervalMs', 'timeoutMs'],
      dump: ['target', 'name', 'gc', 'stream', 'timeoutMs'],
      sample: ['target', 'durationSeconds', 'intervalBytes', 'includeCollected', 'top', 'inspector', 'timeoutMs'],
    });
    for (const t of tools) {
      expect(t.description?.length).toBeGreaterThan(80);
      for (const p of Object.values(t.inputSchema.properties ?? {})) {
        expect((p as { description?: string }).description).toBeTruthy();
      }
    }
  });

  test('analyze: the document `heapwatch analyze --json` prints, with progress while it loads', async () => {
    const progress: Progress[] = [];
    const { doc, meta } = await call(server, 'analyze', { file: cacheFile, top: 5 }, (p) => progress.push(p));
    const cli = heapwatch('analyze', cacheFile, '--top', '5', '--json');
    expect(cli.code).toBe(0);
    expect(doc).toEqual(JSON.parse(cli.out));
    expect(doc.suspects[0]).toMatchObject({ className: 'Map', kind: 'object' });
    expect(meta.files).toEqual([
      expect.objectContaining({ file: cacheFile, cache: 'loaded', source: 'snapshot', loadNumber: 1 }),
    ]);
    expect(meta.loads).toBe(1);
    // the client asked for progress: whole percents, rising, of 100, naming the steps
    expect(progress.length).toBeGreaterThan(2);
    const values = progress.map((p) => p.progress);
    expect([...values].sort((x, y) => x - y)).toEqual(values);
    expect(new Set(values).size).toBe(values.length);
    expect(progress.every((p) => p.total === 100 && p.progress <= 100)).toBe(true);
    expect(progress.map((p) => p.message)).toContain(`loading ${cacheFile}: dominators`);
  });

  test('a second server answers from the saved analysis (--index-dir), byte for byte', async () => {
    const first = await call(server, 'analyze', { file: cacheFile, top: 5 });
    const files = readdirSync(index);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.hwindex$/);
    expect(statSync(join(index, files[0])).mode & 0o777).toBe(0o600);
    const second = await startServer(['--root', root, '--index-dir', index]);
    const again = await call(second, 'analyze', { file: cacheFile, top: 5 });
    expect(again.meta.files[0]).toMatchObject({ cache: 'loaded', source: 'index' });
    expect(again.result.content[0]).toEqual(first.result.content[0]);
  });

  test('follows the suspect with path and node, answered from memory (no second load)', async () => {
    const { doc: analysis } = await call(server, 'analyze', { file: cacheFile, top: 1, suspects: true });
    const suspect = analysis.suspects[0];
    const id = suspect.accumulationPoint.id;

    const path = await call(server, 'path', { file: cacheFile, id, count: 2 });
    expect(path.doc.schema).toBe('heapwatch/paths@1');
    expect(path.doc.object).toMatchObject({ id, className: 'Map', retainedSize: suspect.retainedSize });
    expect(path.doc.paths[0].text).toMatch(/sessionCache$/);
    expect(path.doc.paths[0].steps.at(-1).id).toBe(id);
    expect(path.doc).toEqual(JSON.parse(heapwatch('path', cacheFile, String(id), '-n', '2', '--json').out));

    const node = await call(server, 'node', { file: cacheFile, ids: [id], retainers: 3 });
    expect(node.doc.schema).toBe('heapwatch/nodes@1');
    expect(node.doc.nodes[0]).toMatchObject({ id, className: 'Map', retainedSize: suspect.retainedSize });
    expect(node.doc.nodes[0].retainers.map((r: { edgeName: string }) => r.edgeName)).toContain('sessionCache');

    for (const m of [path.meta, node.meta]) {
      expect(m.files).toEqual([expect.objectContaining({ file: cacheFile, cache: 'hit', loadNumber: 1 })]);
      expect(m.loads).toBe(1);
    }
    const missing = await call(server, 'node', { file: cacheFile, ids: [999_999_999] });
    expect(errorText(missing.result)).toBe(`heapwatch: no node with id @999999999 in ${cacheFile}`);
  });

  test('find: objects by class and by variable name, biggest first, bounded', async () => {
    const byClass = await call(server, 'find', { file: cacheFile, className: 'Session', limit: 3 });
    expect(byClass.doc).toMatchObject({ schema: 'heapwatch/find@1', query: { className: 'Session' }, matched: 4000 });
    expect(byClass.doc.classes).toEqual([expect.objectContaining({ className: 'Session', count: 4000 })]);
    expect(byClass.doc.objects).toHaveLength(3);
    const sizes = byClass.doc.objects.map((o: { retainedSize: number }) => o.retainedSize);
    expect([...sizes].sort((x, y) => y - x)).toEqual(sizes);

    const byName = await call(server, 'find', { file: cacheFile, name: 'sessionCache' });
    expect(byName.doc.matched).toBe(1);
    const [map] = byName.doc.objects;
    expect(map).toMatchObject({ className: 'Map', holder: { edgeType: 'context', edge: 'sessionCache' } });
    const { doc: analysis } = await call(server, 'analyze', { file: cacheFile, top: 1 });
    expect(map.id).toBe(analysis.suspects[0].accumulationPoint.id);
    expect(byName.meta.files[0].cache).toBe('hit');

    const both = await call(server, 'find', { file: cacheFile, name: 'x', className: 'Map' });
    expect(errorText(both.result)).toBe('heapwatch: give exactly one of className and name');
  });

  test('histogram and diff (two and three snapshots) bounded by top', async () => {
    const histo = await call(server, 'histogram', { file: cacheFile, sort: 'count', top: 4 });
    expect(histo.doc).toEqual(JSON.parse(heapwatch('histo', cacheFile, '--sort', 'count', '--top', '4', '--json').out));

    const two = await call(server, 'diff', { files: growth.slice(0, 2), top: 5 });
    expect(two.doc.schema).toBe('heapwatch/diff@1');
    expect(two.doc.classes).toHaveLength(5);
    expect(two.doc.classes.find((c: { className: string }) => c.className === 'Invoice')).toMatchObject({
      countDelta: 2000,
    });
    const progress: Progress[] = [];
    const three = await call(server, 'diff', { files: growth, top: 2 }, (p) => progress.push(p));
    // one rising bar over the two files read and the one analyzed
    const values = progress.map((p) => p.progress);
    expect([...values].sort((x, y) => x - y)).toEqual(values);
    expect(progress.map((p) => p.message)).toEqual(expect.arrayContaining(['diff: reading', 'diff: dominators']));
    expect(three.doc.leaks.length).toBeLessThanOrEqual(2);
    expect(three.doc.leaks[0]).toMatchObject({ className: 'Invoice', count: 2000 });
    expect(three.doc.leaks[0].pathText).toMatch(/invoiceCache → \['inv-\d+'\] → Invoice$/);
    // the third snapshot's analysis is kept; the first two of three were only read for their ids
    expect(three.meta.files.map((f) => f.file)).toEqual([growth[2]]);
  });

  test('refuses files outside --root, symlinks out of it, and non-snapshots without reading them', async () => {
    const outside = await call(server, 'analyze', { file: join(work, 'outside', 'secret.heapsnapshot') });
    expect(errorText(outside.result)).toMatch(/^heapwatch: refusing .*secret\.heapsnapshot: outside the folders/);
    expect(outside.meta.error?.code).toBe('OUTSIDE_ROOT');
    const dots = await call(server, 'histogram', { file: `${root}/../outside/secret.heapsnapshot` });
    expect(dots.meta.error?.code).toBe('OUTSIDE_ROOT');
    const symlinked = await call(server, 'analyze', { file: join(root, 'escape.heapsnapshot') });
    expect(errorText(symlinked.result)).toMatch(/through a symbolic link, outside the folders this server may read/);
    writeFileSync(join(root, 'notes.heapsnapshot'), '{"snapshot": nope');
    const bad = await call(server, 'analyze', { file: join(root, 'notes.heapsnapshot') });
    expect(errorText(bad.result)).toMatch(new RegExp(`^heapwatch: .* \\(${join(root, 'notes.heapsnapshot')}:\\d+\\)$`));
    const missing = await call(server, 'analyze', { file: join(root, 'none.heapsnapshot') });
    expect(missing.meta.error?.code).toBe('NO_SUCH_FILE');
    expect(symlinked.meta.loads).toBe(outside.meta.loads); // nothing was loaded for them
  });

  test('ps, gc and dump on a real child process; the dump can then be analyzed', async () => {
    const ps = await call(server, 'ps', {});
    expect(ps.doc.schema).toBe('heapwatch/ps@1');
    expect(ps.doc.processes.map((p: { pid: number }) => p.pid)).toContain(target.pid);

    const gcProgress: Progress[] = [];
    const gc = await call(server, 'gc', { target: String(target.pid), samples: 2, intervalMs: 100 }, (p) =>
      gcProgress.push(p),
    );
    expect(gcProgress).toEqual([
      { progress: 50, total: 100, message: 'gc: 1 of 2 samples' },
      { progress: 100, total: 100, message: 'gc: 2 of 2 samples' },
    ]);
    const text = gc.result.content[0].type === 'text' ? gc.result.content[0].text : '';
    const lines = text.split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatchObject({ schema: 'heapwatch/gc@1', pid: target.pid });
    expect(lines[1].oldUsed).toBeGreaterThan(0);
    expect((await target.state()).inspectorUrl).toBeNull(); // the inspector heapwatch opened is closed again

    const dump = await call(server, 'dump', { target: String(target.pid), name: 'live' });
    const file = join(dumps, 'live.heapsnapshot');
    expect(dump.doc).toMatchObject({ schema: 'heapwatch/dump@1', file, method: 'target-wrote' });
    expect(dump.doc.via).toBe('inspector');
    const notes = dump.result.content.slice(1).map((c) => (c as { text: string }).text);
    expect(notes).toEqual([
      expect.stringMatching(
        new RegExp(`^heapwatch: opened the inspector of process ${target.pid} on 127\\.0\\.0\\.1:`),
      ),
      expect.stringMatching(new RegExp(`^heapwatch: a heap snapshot of process ${target.pid} .* will cost about`)),
    ]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(file).size).toBe(dump.doc.bytes);
    expect(readdirSync(dumps)).toEqual(['live.heapsnapshot']);
    expect((await target.state()).inspectorUrl).toBeNull();

    // streamed, with progress: V8's walk and the bytes, in notifications with a rising count
    const progress: Progress[] = [];
    const streamed = await call(server, 'dump', { target: String(target.pid), name: 'streamed', stream: true }, (p) =>
      progress.push(p),
    );
    expect(streamed.doc).toMatchObject({ file: join(dumps, 'streamed.heapsnapshot'), method: 'streamed' });
    expect(progress[0]).toMatchObject({ progress: 1, message: expect.stringMatching(/^V8 is walking the heap/) });
    expect(progress.map((p) => p.progress)).toEqual(progress.map((_, i) => i + 1));
    rmSync(join(dumps, 'streamed.heapsnapshot'));

    const again = await call(server, 'dump', { target: String(target.pid), name: 'live' });
    expect(again.meta.error?.code).toBe('EXISTS');
    const sneaky = await call(server, 'dump', { target: String(target.pid), name: '../root/x' });
    expect(sneaky.meta.error?.code).toBe('BAD_NAME');
    expect(readdirSync(dumps)).toEqual(['live.heapsnapshot']);

    const analyzed = await call(server, 'find', { file, name: 'keep', limit: 1 });
    expect(analyzed.doc.objects[0]).toMatchObject({ className: 'Array', holder: { edge: 'keep' } });
  });

  test("dump and sample of a guarded process go over the guard's socket: its inspector is never opened", async () => {
    const dump = await call(server, 'dump', { target: String(guarded.pid), name: 'guarded' });
    const file = join(dumps, 'guarded.heapsnapshot');
    expect(dump.doc).toMatchObject({ schema: 'heapwatch/dump@1', file, method: 'target-wrote', via: 'socket' });
    const notes = dump.result.content.slice(1).map((c) => (c as { text: string }).text);
    expect(notes).toEqual([expect.stringMatching(/^heapwatch: a heap snapshot of process \d+ .* will cost about/)]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(file).size).toBe(dump.doc.bytes);
    expect(guarded.stderr()).not.toMatch(/Debugger listening/);
    expect((await guarded.state()).inspectorUrl).toBeNull();
    rmSync(file);

    // sample too: nothing to tell the user, no inspector opened
    const sampled = await call(server, 'sample', { target: String(guarded.pid), durationSeconds: 0.5 });
    expect(sampled.doc).toMatchObject({ schema: 'heapwatch/sample@1', target: `process ${guarded.pid}` });
    expect(sampled.result.content.slice(1)).toEqual([]);
    expect(guarded.stderr()).not.toMatch(/Debugger listening/);
  });

  test('sample: the allocation site of a real leak, bounded by top, with progress while it samples', async () => {
    const progress: Progress[] = [];
    const { doc, result } = await call(
      server,
      'sample',
      { target: String(allocator.pid), durationSeconds: 1.5, top: 2 },
      (p) => progress.push(p),
    );
    // what it cost the target, as for dump: its inspector was opened (and is closed again, below)
    expect(result.content.slice(1)).toEqual([
      {
        type: 'text',
        text: expect.stringMatching(
          new RegExp(
            `^heapwatch: opened the inspector of process ${allocator.pid} on 127\\.0\\.0\\.1:\\d+ \\(SIGUSR1\\)`,
          ),
        ),
      },
    ]);
    expect(doc).toMatchObject({
      schema: 'heapwatch/sample@1',
      target: `process ${allocator.pid}`,
      intervalBytes: 32768,
      includeCollected: false,
      targetExited: false,
      growth: null,
    });
    expect(doc.durationMs).toBeGreaterThanOrEqual(1500);
    const leak = lineOf(ALLOCATOR, 'function leakOrder(');
    expect(doc.sites[0]).toMatchObject({ function: 'leakOrder', url: ALLOCATOR, line: leak.line });
    expect(doc.sites.length).toBeLessThanOrEqual(2);
    expect(doc.paths[0].frames.map((f: { function: string }) => f.function)).toEqual(['leakTimer', 'leakOrder']);
    expect(progress[0]).toEqual({ progress: 0, total: 100, message: `sample: sampling process ${allocator.pid}` });
    expect(progress.at(-1)).toEqual({ progress: 100, total: 100, message: 'sample: profile read' });
    const values = progress.map((p) => p.progress);
    expect([...values].sort((x, y) => x - y)).toEqual(values);
    expect((await allocator.state()).inspectorUrl).toBeNull(); // sampling stopped and the inspector closed
  });

  test('refuses targets that are not loopback or not of our user', async () => {
    const remote = await call(server, 'gc', { target: '10.1.2.3:9229' });
    expect(errorText(remote.result)).toMatch(/only connects to inspectors on loopback/);
    expect(remote.meta.error?.code).toBe('NOT_LOOPBACK');
    const named = await call(server, 'dump', { target: 'ws://example.com:9229/x' });
    expect(named.meta.error?.code).toBe('NOT_LOOPBACK');
    const sampled = await call(server, 'sample', { target: '10.1.2.3:9229' });
    expect(sampled.meta.error?.code).toBe('NOT_LOOPBACK');
    const notPid = await call(server, 'gc', { target: 'nonsense' });
    expect(notPid.meta.error?.code).toBe('BAD_TARGET');
    if (process.getuid?.() === 0) {
      const other = await startTarget(['--inspect-port=0'], undefined, {}, { uid: 65534, gid: 65534 });
      for (const tool of ['gc', 'sample']) {
        const refused = await call(server, tool, { target: String(other.pid) });
        expect(errorText(refused.result)).toBe(
          `heapwatch: refusing process ${other.pid}: it runs as user 65534, this server as user 0; heapwatch mcp acts only on processes of its own user`,
        );
      }
      expect((await other.state()).inspectorUrl).toBeNull(); // never signalled
    }
  });

  test('without --dump-dir dump is off; a small budget drops the least recently used analysis', async () => {
    const sizes = (await call(server, 'analyze', { file: cacheFile, top: 1 })).meta.files[0].analysisBytes;
    const other = (await call(server, 'histogram', { file: growth[2] })).meta.files[0].analysisBytes;
    // room for either analysis alone, not for both
    const budget = Math.ceil(Math.max(sizes, other) * 1.2);
    expect(budget).toBeLessThan(sizes + other);
    const small = await startServer(['--root', root, '--memory-budget', String(budget), '--no-index']);
    const off = await call(small, 'dump', { target: String(target.pid) });
    expect(errorText(off.result)).toBe('heapwatch: dump is off: the server was started without --dump-dir <folder>');

    // --no-index: analyzed from the snapshot although the index folder of the first server has it
    expect((await call(small, 'histogram', { file: cacheFile })).meta.files[0]).toMatchObject({
      cache: 'loaded',
      source: 'snapshot',
    });
    expect((await call(small, 'histogram', { file: cacheFile })).meta.files[0]).toMatchObject({ cache: 'hit' });
    const second = await call(small, 'histogram', { file: growth[2] });
    expect(second.meta.files[0].cache).toBe('loaded');
    expect(second.meta.cachedAnalyses).toBe(1);
    const back = await call(small, 'histogram', { file: cacheFile });
    expect(back.meta.files[0]).toMatchObject({ cache: 'loaded', loadNumber: 2 });
    expect(back.meta.loads).toBe(3);
  });

  test('a bad --root or --dump-dir stops the server before it serves', () => {
    const r = spawnSync(process.execPath, [bin, 'mcp', '--root', join(work, 'nope')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`heapwatch: --root ${join(work, 'nope')}: no such directory\n`);
    const open = join(work, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const d = spawnSync(process.execPath, [bin, 'mcp', '--dump-dir', open], { encoding: 'utf8' });
    expect(d.status).toBe(2);
    expect(d.stderr).toBe(`heapwatch: --dump-dir ${open}: writable by other users (mode 777); use a private folder\n`);
  });
});
