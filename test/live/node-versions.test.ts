import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeBinary } from '../snapshot/node-versions.js';
import { killAll, pendingSignals, procState, runCli, startTarget } from './helpers.js';

// Targets on other Node majors (binaries from the npm registry, cached outside the repo; see test/snapshot).
const work = mkdtempSync(join(tmpdir(), 'heapwatch-live-versions-'));
afterAll(() => {
  killAll();
  rmSync(work, { recursive: true, force: true });
});

describe.each([22, 24])('Node %i targets', (major) => {
  it('gc --json reads the spaces this V8 has (trusted_* go to the old generation) and dump writes a 0600 file', async () => {
    const node = nodeBinary(major);
    const target = await startTarget(['--inspect-port=0'], undefined, {}, { node });
    const r = await runCli(['gc', String(target.pid), '100ms', '2', '--json']);
    expect(r.code).toBe(0);
    const last = JSON.parse(r.stdout.trimEnd().split('\n').at(-1)!);
    expect(last.spaces.trusted_space.group).toBe('old');
    expect(last.spaces.trusted_large_object_space.group).toBe('old');
    const oldNames = Object.entries(last.spaces as Record<string, { group: string; used: number }>)
      .filter(([, s]) => s.group === 'old')
      .map(([name]) => name);
    expect(oldNames).toEqual(expect.arrayContaining(['old_space', 'large_object_space', 'trusted_space']));

    const out = join(work, `node${major}.heapsnapshot`);
    const d = await runCli(['dump', String(target.pid), '-o', out, '--json']);
    expect(d.code).toBe(0);
    expect(JSON.parse(d.stdout).method).toBe('target-wrote');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readdirSync(work).filter((n) => n.startsWith(`.node${major}`))).toEqual([]);
    expect((await target.state()).inspectorUrl).toBeNull();
  });

  it('--disable-sigusr1: refused, never signalled', async () => {
    const node = nodeBinary(major);
    const target = await startTarget(['--disable-sigusr1'], undefined, {}, { node });
    const r = await runCli(['gc', String(target.pid), '1s', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^heapwatch: process ${target.pid} does not handle SIGUSR1 `));
    expect(procState(target.pid)).toMatch(/^[RS]$/);
    expect(pendingSignals(target.pid)).toBe(0n);
    expect((await target.state()).inspectorUrl).toBeNull();
  });
});
