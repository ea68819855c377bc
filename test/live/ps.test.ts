import { afterAll, describe, expect, it } from 'vitest';
import { ESM_TARGET, killAll, runCli, spawnPlain, startTarget } from './helpers.js';

afterAll(killAll);

describe('heapwatch ps', () => {
  it('lists this user’s Node processes with RSS, uptime and the inspector that is open', async () => {
    const open = await startTarget(['--inspect=127.0.0.1:0']);
    const closed = await startTarget(['--inspect-port=0'], ESM_TARGET);
    const sleeper = spawnPlain('sleep', ['30']);
    const port = new URL((await open.state()).inspectorUrl!).port;
    const r = await runCli(['ps', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      schema: string;
      processes: { pid: number; command: string; rss: number; uptimeSeconds: number; inspector: string | null }[];
    };
    expect(doc.schema).toBe('heapwatch/ps@1');
    const byPid = new Map(doc.processes.map((p) => [p.pid, p]));
    expect(byPid.get(open.pid)).toMatchObject({ inspector: `127.0.0.1:${port}`, inspectorLoopback: true });
    expect(byPid.get(open.pid)!.command).toMatch(/target\.cjs$/);
    expect(byPid.get(closed.pid)).toMatchObject({ inspector: null });
    expect(byPid.get(closed.pid)!.rss).toBeGreaterThan(10 * 1024 * 1024);
    expect(byPid.has(sleeper.pid!)).toBe(false);

    const text = await runCli(['ps']);
    const line = text.stdout.split('\n').find((l) => l.trimStart().startsWith(`${open.pid} `));
    expect(line).toMatch(
      new RegExp(
        `^\\s*${open.pid}\\s+\\d+\\.\\d MB\\s+\\d+s\\s+-\\s+127\\.0\\.0\\.1:${port}\\s+\\S*node --inspect=127\\.0\\.0\\.1:0 `,
      ),
    );
  });
});
