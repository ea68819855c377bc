// A corpus of leaks built on popular npm packages (devDependencies), each with the holder a correct report must
// name in one of its top three suspects' headlines, and programs that do not leak, which must have no suspect
// above 50% of the heap. Every program runs on Node 20, 22 and 24; one snapshot and one analysis per program.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { type SuspectJson, suspectsJson } from '../../src/report/leak-findings.js';
import { analyzedRun } from '../helpers/snapshot-jobs.js';
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

const dir = mkdtempSync(join(tmpdir(), 'heapwatch-corpus-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The suspects analyze --json reports for a program's snapshot. Every program of a Node version is started at
 * once (two run at a time, each analyzed in-process while the next runs); each test awaits its own.
 */
function suspectsOfAll(major: number): Map<string, Promise<SuspectJson[]>> {
  const node = major === 20 ? process.execPath : nodeBinary(major);
  const jobs = new Map<string, Promise<SuspectJson[]>>();
  for (const program of [...LEAKS.map(([p]) => p), ...QUIET]) {
    const job = analyzedRun(node, join(programs, program), join(dir, `${major}-${program}.heapsnapshot`), (a) =>
      suspectsJson(a),
    );
    job.catch(() => {}); // reported by the test that awaits it
    jobs.set(program, job);
  }
  return jobs;
}

describe.each([20, 22, 24])('Node %i', (major) => {
  let jobs: Map<string, Promise<SuspectJson[]>>;
  const suspectsOf = (program: string): Promise<SuspectJson[]> => {
    jobs ??= suspectsOfAll(major);
    return jobs.get(program)!;
  };
  test.each(LEAKS)('%s: the holder is named in a top-3 headline', async (program, holder) => {
    const headlines = (await suspectsOf(program)).slice(0, 3).map((x) => x.headline);
    expect(
      headlines.some((h) => holder.test(h)),
      headlines.join('\n'),
    ).toBe(true);
  });

  test.each(QUIET)('%s does not leak: no suspect above half the heap', async (program) => {
    const loud = (await suspectsOf(program)).filter((x) => x.percent > 50);
    expect(loud.map((x) => x.headline)).toEqual([]);
  });
});
