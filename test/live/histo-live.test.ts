import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { killAll, runCli, startTarget } from './helpers.js';

afterAll(killAll);

const tempDumps = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('heapwatch-dump-'));

describe('heapwatch histo <pid>', () => {
  it('dumps the live process to a private temp file, prints its histogram, and removes the dump', async () => {
    const target = await startTarget(['--inspect-port=0']);
    const before = tempDumps();
    const r = await runCli(['histo', String(target.pid), '--json', '--sort', 'count']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout.trimEnd().split('\n').pop()!);
    expect(doc.schema).toBe('heapwatch/histo@1');
    // the target keeps up to 50 batches of 2000 { i, s } objects alive (i is a small integer: no edge, so "{s}")
    const items = doc.classes.find((c: { className: string }) => c.className === '{s}');
    expect(items.count).toBeGreaterThanOrEqual(2000);
    expect(items.count).toBeLessThanOrEqual(51 * 2000);
    expect(tempDumps()).toEqual(before);
    expect((await target.state()).inspectorUrl).toBeNull();
  });
});
