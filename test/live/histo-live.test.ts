import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killAll, runCli, startTarget } from './helpers.js';

// the command's own temp folder (TMPDIR): other test files make and remove folders in the shared one meanwhile
const privateTmp = mkdtempSync(join(tmpdir(), 'histo-live-'));
afterAll(() => {
  killAll();
  rmSync(privateTmp, { recursive: true, force: true });
});

describe('heapwatch histo <pid>', () => {
  it('dumps the live process to a private temp file, prints its histogram, and removes the dump', async () => {
    const target = await startTarget(['--inspect-port=0']);
    const r = await runCli(['histo', String(target.pid), '--json', '--sort', 'count'], { env: { TMPDIR: privateTmp } });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout.trimEnd().split('\n').pop()!);
    expect(doc.schema).toBe('heapwatch/histo@1');
    // the target keeps up to 50 batches of 2000 { i, s } objects alive (i is a small integer: no edge, so "{s}")
    const items = doc.classes.find((c: { className: string }) => c.className === '{s}');
    expect(items.count).toBeGreaterThanOrEqual(2000);
    expect(items.count).toBeLessThanOrEqual(51 * 2000);
    // (its runtime folder heapwatch-<uid> stays: that is where it looks for guarded processes' sockets)
    expect(readdirSync(privateTmp).filter((n) => n.startsWith('heapwatch-dump-'))).toEqual([]);
    expect((await target.state()).inspectorUrl).toBeNull();
  });
});
