// The suspects' paths on snapshots of Node 22 and 24 (other layouts, other internals): still the holding
// variable, not the stack frame or handle that happened to touch the object when the snapshot was taken.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { nodeBinary } from '../snapshot/node-versions.js';
import { heapwatch, runFixtureWith } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-leak-versions-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CASES: [string, RegExp][] = [
  ['listeners.cjs', /orderEvents → _events → order-updated → \[\d+\] → onOrderUpdated\(\) → context → requestContext$/],
  ['linked-list.cjs', /context → requestQueue → head → body$/],
  ['script-const.cjs', /script_context_table → Context → recentUploads → \[\d+\] → Upload$/],
  ['timers.cjs', /timerListMap → \[60000\] → TimersList → .*_onTimeout → pollUpstream\(\) → context → upstreamState$/],
];

describe.each([22, 24])('Node %i', (major) => {
  test.each(CASES)('%s: the top suspect path names the holding variable', (fixture, path) => {
    const snap = join(dir, `${major}-${fixture}.heapsnapshot`);
    runFixtureWith(nodeBinary(major), fixture, snap);
    const r = heapwatch('analyze', snap, '--json');
    expect(r.code).toBe(0);
    const [top] = JSON.parse(r.out).suspects;
    expect(top.pathText).toMatch(path);
  });
});
