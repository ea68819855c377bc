import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { afterOpenedNotice, killAll, runCli, startTarget } from './helpers.js';

const work = mkdtempSync(join(tmpdir(), 'heapwatch-live-dump-'));
afterAll(() => {
  killAll();
  rmSync(work, { recursive: true, force: true });
});

interface SnapshotJson {
  snapshot: { meta: { node_fields: string[]; edge_fields: string[] }; node_count: number; edge_count: number };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** A whole, consistent snapshot: counts match the arrays and the target's own strings are in it. */
function expectValidSnapshot(file: string): void {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as SnapshotJson;
  expect(snap.nodes.length).toBe(snap.snapshot.node_count * snap.snapshot.meta.node_fields.length);
  expect(snap.edges.length).toBe(snap.snapshot.edge_count * snap.snapshot.meta.edge_fields.length);
  expect(snap.snapshot.node_count).toBeGreaterThan(10_000);
  expect(snap.strings).toContain('item 1999'); // built by the target's allocation loop
}

describe('heapwatch dump', () => {
  it('the target writes the snapshot next to the destination; final file 0600, no temp file left', async () => {
    const target = await startTarget(['--inspect-port=0']);
    const dir = mkdtempSync(join(work, 'a-'));
    const out = join(dir, 'app.heapsnapshot');
    const r = await runCli(['dump', String(target.pid), '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^${out} \\(\\d+\\.\\d MB, \\d+\\.\\d s, written by the target, asked over the inspector\\)\\n$`),
    );
    expect(afterOpenedNotice(r.stderr)).toMatch(
      new RegExp(`^heapwatch: a heap snapshot of process ${target.pid} \\(.* heap used\\) will cost about`),
    );
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['app.heapsnapshot']);
    expectValidSnapshot(out);
    expect((await target.state()).inspectorUrl).toBeNull();
  });

  it('--stream --gc --json: streamed over the inspector into the same kind of file', async () => {
    const target = await startTarget(['--inspect-port=0']);
    const dir = mkdtempSync(join(work, 'b-'));
    const out = join(dir, 'streamed.heapsnapshot');
    const r = await runCli(['dump', String(target.pid), '-o', out, '--stream', '--gc', '--json']);
    expect(r.code).toBe(0);
    expect(afterOpenedNotice(r.stderr)).toBe('');
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ schema: 'heapwatch/dump@1', file: out, method: 'streamed' });
    expect(result.bytes).toBe(statSync(out).size);
    expect(result.headroom.heapUsed).toBeGreaterThan(1_000_000);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['streamed.heapsnapshot']);
    expectValidSnapshot(out);
    expect((await target.state()).inspectorUrl).toBeNull();
  });

  it('never overwrites an existing file', async () => {
    const target = await startTarget(['--inspect-port=0']);
    const out = join(work, 'exists.heapsnapshot');
    writeFileSync(out, 'precious');
    const r = await runCli(['dump', String(target.pid), '-o', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`heapwatch: ${out} already exists; heapwatch does not overwrite dumps\n`);
    expect(readFileSync(out, 'utf8')).toBe('precious');
  });

  it.skipIf(process.getuid?.() !== 0)(
    'a target that may not write the file (another user) is streamed instead; the dump is still ours and 0600',
    async () => {
      const target = await startTarget(['--inspect-port=0'], undefined, {}, { uid: 65534, gid: 65534 });
      const dir = mkdtempSync(join(work, 'c-'));
      const out = join(dir, 'other-user.heapsnapshot');
      const r = await runCli(['dump', String(target.pid), '-o', out, '--json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ file: out, method: 'streamed' });
      expect(statSync(out).mode & 0o777).toBe(0o600);
      expect(statSync(out).uid).toBe(0);
      expect(readdirSync(dir)).toEqual(['other-user.heapsnapshot']);
      expectValidSnapshot(out);
    },
  );

  it('target killed during the dump: exit 1, the partial temp file is removed', async () => {
    const target = await startTarget(
      ['--inspect-port=0'],
      new URL('./fixtures/big-target.cjs', import.meta.url).pathname,
    );
    const dir = mkdtempSync(join(work, 'd-'));
    const out = join(dir, 'never.heapsnapshot');
    const running = runCli(['dump', String(target.pid), '-o', out]);
    // the temp file appears once the dump starts; the target dies in the middle of it
    while (!readdirSync(dir).some((n) => n.endsWith('.tmp'))) await new Promise((r) => setTimeout(r, 10));
    target.child.kill('SIGKILL');
    const r = await running;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`heapwatch: process ${target.pid} exited while heapwatch was attached\n$`));
    expect(readdirSync(dir)).toEqual([]);
  });
});
