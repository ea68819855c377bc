// The mock push provider (fixtures/push-sender/provider.mjs) as a child process on 127.0.0.1, ephemeral port.
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { createInterface } from 'node:readline';
import { runtimeError } from '../../errors.js';
import { trackChild } from './children.js';

export interface ProviderStats {
  calls: number;
  rejectedCalls: number;
  tokensReceived: number;
  results: Record<string, number>;
  maxTokensInCall: number;
  maxConcurrentCalls: number;
}

export interface ProviderProcess {
  pid: number;
  url: string;
  batchLimit: number;
  latencyMs: number;
  /** What the provider has received so far (GET /v1/stats). */
  stats(): Promise<ProviderStats>;
}

function getJson<T>(url: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T);
        } catch (err) {
          reject(err);
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} in ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** Starts the provider and waits for its `{"event":"listening","url":…}` line. */
export async function startProviderProcess(
  script: string,
  options: { batchLimit: number; latencyMs: number; timeoutMs: number },
): Promise<ProviderProcess> {
  const args = [script, '--batch-limit', String(options.batchLimit), '--latency-ms', String(options.latencyMs)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild('mock push provider', child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr = (stderr + s).slice(-2000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(runtimeError(`the mock push provider did not start in ${options.timeoutMs} ms`, 'DEMO')),
      options.timeoutMs,
    );
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      try {
        const event = JSON.parse(line) as { event?: string; url?: string };
        if (event.event === 'listening' && event.url) {
          clearTimeout(timer);
          resolve(event.url);
        }
      } catch {}
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const why = stderr.trim().split('\n').at(-1) ?? '';
      reject(
        runtimeError(`the mock push provider exited (${signal ?? `code ${code}`}) before listening ${why}`, 'DEMO'),
      );
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(runtimeError(`cannot start the mock push provider: ${err.message}`, 'DEMO'));
    });
  });
  return {
    pid: child.pid ?? 0,
    url,
    batchLimit: options.batchLimit,
    latencyMs: options.latencyMs,
    stats: () => getJson<ProviderStats>(`${url}/v1/stats`, 10_000),
  };
}
