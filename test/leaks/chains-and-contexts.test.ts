// Chains of a longer period (object → closure → context → previous object: closures sharing a context) are
// reported once, with the link count and the link's shape; timers kept forever name the callback they run and
// the AsyncLocalStorage store they carry (Node 20/22 keep it on the timer, Node 24 in an AsyncContextFrame).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SuspectJson } from '../../src/report/leak-findings.js';
import { nodeBinary } from '../snapshot/node-versions.js';
import { heapwatch, runFixtureWith } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-chains-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function suspects(major: number, fixture: string): SuspectJson[] {
  const snap = join(dir, `${major}-${fixture}.heapsnapshot`);
  runFixtureWith(major === 20 ? process.execPath : nodeBinary(major), fixture, snap);
  const r = heapwatch('analyze', snap, '--json');
  expect(r.code).toBe(0);
  return JSON.parse(r.out).suspects;
}

describe.each([20, 22, 24])('Node %i', (major) => {
  test('closures sharing a context: one chain of period 3, by its head, named by its variable', () => {
    const [top] = suspects(major, 'shared-context.cjs');
    expect(top).toMatchObject({
      kind: 'object',
      className: '{longStr, someMethod}',
      chain: { links: 1999, className: '{longStr, someMethod} → someMethod() → Context', period: 3 },
      holder: { name: 'theThing', className: '{longStr, someMethod}' },
      // an admin route keeps the head too: clearing theThing alone would not free the chain
      alsoHeldBy: [{ name: 'admin.routes.status', className: 'Object', share: 1 }],
    });
    expect(top.alsoHeldBy).toHaveLength(1);
    expect(top.alsoHeldBy[0].pathText).toMatch(/exports → admin → routes → status$/);
    // the head is the chain's first link, not the last one a plain descent would stop at
    expect(top.accumulationPoint.id).toBe(top.id);
    expect(top.holds[0]).toMatchObject({ className: '(concatenated string)', count: 2000 });
  });

  test('intervals started inside AsyncLocalStorage.run: the callback and the store each timer keeps', () => {
    const [top] = suspects(major, 'als-timers.cjs');
    expect(top).toMatchObject({ className: 'TimersList', holder: { name: 'timerListMap[60000]' } });
    expect(top.holds[0]).toMatchObject({
      className: 'Timeout',
      count: 3000,
      asyncContext: { callback: 'pollStatus()', store: { className: 'RequestStore' } },
    });
    // the store with its payload (the padded body string is partly shared, so a bit over half its length)
    expect(top.holds[0].asyncContext?.store.retainedSize).toBeGreaterThan(500);
  });
});
