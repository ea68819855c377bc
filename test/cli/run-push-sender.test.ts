import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain-JS fixture without type declarations
import { parseSummaryLine, senderCommand, startProvider } from '../../fixtures/push-sender/index.mjs';
import { REPO, removeTempDirs, startNode, tempDir } from '../guard/helpers.js';

afterAll(removeTempDirs);

const CLI = join(REPO, 'bin/heapwatch.js');

let provider: { url: string; stats: { tokensReceived: number }; close(): Promise<void> } | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

describe('heapwatch run on the push sender (the origin story)', () => {
  it('the leaky sender dies in a 64 MB heap and the suspect path names sendHistory', async () => {
    provider = await startProvider({ batchLimit: 100, latencyMs: 50 });
    const dir = tempDir('run-push-leaky');
    const sender = senderCommand({ providerUrl: provider!.url, members: 200_000, mode: 'leaky' }) as string[];
    const run = startNode([CLI, 'run', '--dir', dir, '--max-old-space-size', '64', '--', ...sender], {}, dir);
    expect((await run.exited).code).toBe(134);
    const err = run.stderr();
    expect(err).toContain('JavaScript heap out of memory');
    const suspect = err.match(
      /Leak suspects\n {2}1\. sendHistory \(Map @\d+\) retains [\d.]+ MB \(([\d.]+)% of the heap\)\n(.*)\n(?: {5}also held by .*\n)*\s+path: (.*)\n/,
    );
    expect(suspect).not.toBeNull();
    expect(Number(suspect![1])).toBeGreaterThan(50);
    expect(suspect![2]).toMatch(
      /× \{batchId, members, payload, requestBody, sentAt, promise, response, results, error\}/,
    );
    expect(suspect![3]).toMatch(/→ context → sendHistory → /);
    // the module-level Map; when the shortest path runs through the ES module that declares it (rather than a
    // reaction job in flight at the moment of the dump), the module reads as its file
    if (suspect![3].includes('SourceTextModule')) {
      expect(suspect![3]).toMatch(/SourceTextModule → leaky-campaign\.mjs \(module\) → context → sendHistory → /);
    }
    const html = err.match(/heapwatch: HTML report: (\S+)/)![1];
    expect(statSync(html).mode & 0o777).toBe(0o600);
  });

  it('the fixed sender completes 100,000 members in the same heap under heapwatch run', async () => {
    provider = await startProvider({ batchLimit: 500, latencyMs: 50 });
    const dir = tempDir('run-push-fixed');
    const sender = senderCommand({ providerUrl: provider!.url, members: 100_000, mode: 'fixed' }) as string[];
    const run = startNode([CLI, 'run', '--dir', dir, '--max-old-space-size', '64', '--', ...sender], {}, dir);
    expect((await run.exited).code).toBe(0);
    const summary = parseSummaryLine(run.stdout().trim().split('\n').at(-1));
    expect(summary).toMatchObject({ mode: 'fixed', members: 100_000, recorded: 100_000 });
    expect(provider!.stats.tokensReceived).toBe(100_000);
    expect(run.stderr()).not.toContain('heapwatch:'); // no crash, no dump, nothing to say
  });
});
