import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers.js';

const { appNameOf, diagnosticDirOf, readGuardConfig, splitNodeOptions } = await import(
  join(REPO, 'dist/guard/config.cjs')
);
const { dumpFileName, parseDumpName, parseTempName, tempNameFor, nodeSnapshotPid, nodeReportPid } = await import(
  join(REPO, 'dist/guard/dump-files.cjs')
);

describe('guard configuration', () => {
  it('splits NODE_OPTIONS the way Node does', () => {
    expect(splitNodeOptions('  --require /a/b.cjs   --max-old-space-size=64 ')).toEqual([
      '--require',
      '/a/b.cjs',
      '--max-old-space-size=64',
    ]);
    expect(splitNodeOptions('--diagnostic-dir="/tmp/x y/du\\"mps" -r "a b"')).toEqual([
      '--diagnostic-dir=/tmp/x y/du"mps',
      '-r',
      'a b',
    ]);
    expect(splitNodeOptions('--title=""')).toEqual(['--title=']);
  });

  it('finds --diagnostic-dir in NODE_OPTIONS or the command line (the command line wins), else the cwd', () => {
    expect(diagnosticDirOf([], undefined, '/srv/app')).toBe('/srv/app');
    expect(diagnosticDirOf([], '--diagnostic-dir=dumps', '/srv/app')).toBe('/srv/app/dumps');
    expect(diagnosticDirOf(['--diagnostic-dir', '/var/d'], '--diagnostic-dir=/x', '/srv')).toBe('/var/d');
  });

  it('names the app after the main script, safely', () => {
    expect(appNameOf('/srv/orders-service/server.mjs')).toBe('server');
    expect(appNameOf('/srv/a/my app (v2).js')).toBe('my_app_v2_');
    expect(appNameOf(undefined)).toBe('node');
    expect(appNameOf('/x/..hidden.js')).toBe('hidden');
  });

  it('reads the environment, refusing signals that would change how the process stops or is debugged', () => {
    const warnings: string[] = [];
    const read = (env: Record<string, string>) =>
      readGuardConfig(env, [], '/srv', '/srv/api.js', (m: string) => warnings.push(m));
    expect(read({})).toEqual({
      dir: '/srv',
      diagnosticDir: '/srv',
      nearLimit: 1,
      signal: null,
      maxDumps: 5,
      minFreeBytes: 0,
      app: 'api',
      socket: true,
      redact: 'off',
    });
    expect(read({ HEAPWATCH_SOCKET: 'off' }).socket).toBe(false);
    expect(read({ HEAPWATCH_REDACT: '1' }).redact).toBe('beside');
    expect(read({ HEAPWATCH_REDACT: 'only' }).redact).toBe('only');
    expect(read({ HEAPWATCH_SIGNAL: 'usr2', HEAPWATCH_DIR: 'd', HEAPWATCH_MAX_DUMPS: '0' })).toMatchObject({
      signal: 'SIGUSR2',
      dir: '/srv/d',
      maxDumps: 0,
    });
    expect(warnings).toEqual([]);
    for (const sig of ['SIGUSR1', 'SIGTERM', 'SIGINT', 'SIGKILL', 'SIGSEGV'])
      expect(read({ HEAPWATCH_SIGNAL: sig }).signal).toBe(null);
    expect(warnings[0]).toBe(
      'HEAPWATCH_SIGNAL=SIGUSR1 refused (SIGUSR1 opens the inspector in Node); no on-demand snapshots',
    );
    expect(read({ HEAPWATCH_NEAR_LIMIT: '-1' }).nearLimit).toBe(1);
    expect(warnings.at(-1)).toBe('HEAPWATCH_NEAR_LIMIT=-1 is not a whole number >= 0; using 1');
  });
});

describe('dump file names', () => {
  it('round-trips our names, temp names and Node’s own names', () => {
    const name = dumpFileName('orders-api', 4242, new Date('2026-11-22T01:02:03.456Z'), 'near-heap-limit');
    expect(name).toBe('orders-api-4242-20261122T010203.456Z-near-heap-limit.heapsnapshot');
    expect(parseDumpName(name)).toEqual({
      app: 'orders-api',
      pid: 4242,
      stamp: '20261122T010203.456Z',
      reason: 'near-heap-limit',
      partial: false,
    });
    expect(parseDumpName(`${name}.partial`)).toMatchObject({ partial: true });
    expect(parseTempName(tempNameFor(name))).toEqual({ finalName: name, pid: 4242 });
    expect(parseDumpName('notes.txt')).toBe(null);
    expect(nodeSnapshotPid('Heap.20261122.010203.4242.0.001.heapsnapshot')).toBe(4242);
    expect(nodeReportPid('report.20261122.010203.4242.0.002.json')).toBe(4242);
    expect(nodeSnapshotPid('Heap.4242.heapsnapshot')).toBe(null);
  });
});
