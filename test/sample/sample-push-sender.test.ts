// `heapwatch sample` against the leaky push sender: the sites that allocate what sendHistory keeps are named,
// with the file and the line where each function starts.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain-JS fixture without type declarations
import { senderCommand, startProvider } from '../../fixtures/push-sender/index.mjs';
import { ROOT, runCli } from '../live/helpers.js';
import { lineOf } from './helpers.js';

const CAMPAIGN = join(ROOT, 'fixtures/push-sender/leaky-campaign.mjs');
const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('sample on the push sender', () => {
  it('names the leaky campaign lines that allocate what sendHistory keeps', async () => {
    const provider = (await startProvider()) as { url: string; close(): Promise<void> };
    cleanups.push(() => provider.close());
    const [node, ...args] = senderCommand({ providerUrl: provider.url, members: 300_000, mode: 'leaky' }) as string[];
    const sender = spawn(node, ['--inspect-port=0', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    cleanups.push(() => {
      sender.kill('SIGKILL');
    });
    // sampling starts once the campaign is sending (its first progress line)
    await new Promise<void>((resolve, reject) => {
      let err = '';
      sender.stderr.setEncoding('utf8').on('data', (d: string) => {
        err += d;
        if (err.includes('members sent')) resolve();
      });
      sender.once('exit', () => reject(new Error(`sender ended early: ${err}`)));
    });
    const r = await runCli(['sample', String(sender.pid), '--duration', '2s', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    const top = report.sites.slice(0, 3);
    const campaign = lineOf(CAMPAIGN, 'export async function sendCampaignLeaky(');
    const onResponse = lineOf(CAMPAIGN, '(response) => {');
    // the entry, its payload and request body are made in sendCampaignLeaky; the parsed results in the
    // response callback: both are what sendHistory keeps
    expect(top).toContainEqual(
      expect.objectContaining({
        function: 'sendCampaignLeaky',
        url: `file://${CAMPAIGN}`,
        line: campaign.line,
        column: campaign.column + 'export async function sendCampaignLeaky'.length,
      }),
    );
    expect(top).toContainEqual(
      expect.objectContaining({ url: `file://${CAMPAIGN}`, line: onResponse.line, column: onResponse.column }),
    );
  });
});
