// A corpus of leaks built on popular npm packages (devDependencies), each with the holder a correct report must
// name in one of its top three suspects' headlines, and programs that do not leak, which must have no suspect
// above 50% of the heap. Every program runs on Node 20, 22 and 24; one snapshot and one analysis per program.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SuspectJson } from '../../src/report/leak-findings.js';
import { heapwatch } from '../leaks/helpers.js';
import { nodeBinary } from '../snapshot/node-versions.js';

const programs = fileURLToPath(new URL('./programs/', import.meta.url));

/** Program → the holder its top three suspects' headlines must name (package: what leaks). */
const LEAKS: [string, RegExp][] = [
  ['express-session.cjs', /\bstore\.sessions \(/], // express-session: MemoryStore never pruned
  ['express-listeners.cjs', /_events\.shutdown \(/], // express: a listener on the app per request
  ['prom-client.cjs', /\brequests\.hashMap \(/], // prom-client: unbounded label cardinality
  ['winston.cjs', /\bloggers\.loggers \(/], // winston: a logger per request in the container
  ['pino.cjs', /\bchildLoggers \(/], // pino: child loggers cached per request
  ['rxjs.cjs', /\bpriceUpdates\.observers \(/], // rxjs: subscriptions never unsubscribed
  ['lru-cache.cjs', /\brenderCache \(/], // lru-cache: a max the process cannot hold, unique keys
  ['p-queue.mjs', /#queue \(/], // p-queue: tasks queued behind one that never settles
  ['axios.cjs', /\bapi\.interceptors\.request \(/], // axios: an interceptor per request
  ['lodash-memoize.cjs', /\bquote\b.*__data__ \(/], // lodash: memoize with unique arguments
  ['dataloader.cjs', /\busers\._cacheMap \(/], // dataloader: one loader for the whole process
  ['node-cache.cjs', /\bresponses\.data \(/], // node-cache: stdTTL 0
];
const QUIET = ['lru-bounded.cjs', 'stream-pipeline.mjs'];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'heapwatch-corpus-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function suspectsOf(major: number, program: string): SuspectJson[] {
  const snap = join(dir, `${major}-${program}.heapsnapshot`);
  const node = major === 20 ? process.execPath : nodeBinary(major);
  const run = spawnSync(node, [join(programs, program), snap], { encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) throw new Error(`${program} on Node ${major} failed (${run.status}): ${run.stderr}`);
  const r = heapwatch('analyze', snap, '--json');
  rmSync(snap);
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out).suspects;
}

describe.each([20, 22, 24])('Node %i', (major) => {
  test.each(LEAKS)('%s: the holder is named in a top-3 headline', (program, holder) => {
    const headlines = suspectsOf(major, program)
      .slice(0, 3)
      .map((x) => x.headline);
    expect(
      headlines.some((h) => holder.test(h)),
      headlines.join('\n'),
    ).toBe(true);
  });

  test.each(QUIET)('%s does not leak: no suspect above half the heap', (program) => {
    const loud = suspectsOf(major, program).filter((x) => x.percent > 50);
    expect(loud.map((x) => x.headline)).toEqual([]);
  });
});
