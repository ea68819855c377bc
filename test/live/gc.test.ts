import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { GC_COLUMN_TITLES } from '../../src/live/gc-table.js';
import { afterOpenedNotice, ESM_TARGET, killAll, ROOT, runCli, startTarget } from './helpers.js';

afterAll(killAll);

describe('heapwatch gc', () => {
  it('prints a header every 20 rows and count rows that parse, with GC counts that only grow', async () => {
    // --expose-gc + TARGET_FULL_GC: the target forces a major GC every ~60 ms, so FGC and LIVE must move
    const target = await startTarget(['--inspect-port=0', '--expose-gc'], undefined, { TARGET_FULL_GC: '1' });
    const r = await runCli(['gc', String(target.pid), '100ms', '22', '-t']);
    expect(afterOpenedNotice(r.stderr)).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(24);
    const header = ['Timestamp', ...GC_COLUMN_TITLES];
    expect(lines[0].trim().split(/\s+/)).toEqual(header);
    expect(lines[21]).toBe(lines[0]);
    const rows = lines.filter((_, i) => i !== 0 && i !== 21).map((l) => l.trim().split(/\s+/));
    const col = (row: string[], name: string): string => row[header.indexOf(name)];
    let previous: string[] | undefined;
    for (const row of rows) {
      expect(row).toHaveLength(header.length);
      for (const name of header.filter((n) => n !== 'LIVE')) expect(col(row, name)).toMatch(/^\d+(\.\d+)?$/);
      expect(Number(col(row, 'NU'))).toBeLessThanOrEqual(Number(col(row, 'NC')));
      expect(Number(col(row, 'OU'))).toBeLessThanOrEqual(Number(col(row, 'OC')));
      expect(Number(col(row, 'RSS'))).toBeGreaterThan(Number(col(row, 'OU')));
      if (previous) {
        for (const name of ['Timestamp', 'YGC', 'FGC', 'GCT']) {
          expect(Number(col(row, name))).toBeGreaterThanOrEqual(Number(col(previous, name)));
        }
      }
      previous = row;
    }
    const last = rows[rows.length - 1];
    expect(Number(col(last, 'FGC'))).toBeGreaterThan(0);
    expect(col(last, 'LIVE')).toMatch(/^\d+\.\d$/);
    const gct = Number(col(last, 'GCT'));
    const parts = Number(col(last, 'YGCT')) + Number(col(last, 'FGCT')) + Number(col(last, 'IGCT'));
    expect(gct).toBeGreaterThanOrEqual(parts - 0.0015);
    // 21 intervals of 100 ms: the target's uptime advanced by about 2.1 s
    const span = Number(col(last, 'Timestamp')) - Number(col(rows[0], 'Timestamp'));
    expect(span).toBeGreaterThan(1.9);
    expect(span).toBeLessThan(4);
    expect((await target.state()).inspectorUrl).toBeNull();
  });

  it('--json prints NDJSON heapwatch/gc@1 with every space by its V8 name, and counts the GCs the target runs', async () => {
    const target = await startTarget(['--inspect-port=0', '--expose-gc'], ESM_TARGET);
    const cli = spawn(process.execPath, [`${ROOT}bin/heapwatch.js`, 'gc', String(target.pid), '100ms', '--json'], {
      cwd: ROOT,
    });
    const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    let out = '';
    const lines = (): string[] => out.split('\n').filter(Boolean);
    let linesBeforeGc = -1;
    const sawGc = new Promise<void>((resolve) => {
      cli.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (linesBeforeGc < 0 && lines().length === 1) {
          // one forced scavenge + one mark-compact in the target, acknowledged before the next samples
          void target.ask('gc').then((answer) => {
            expect(answer).toBe('gc done');
            linesBeforeGc = lines().length;
          });
        }
        if (linesBeforeGc < 0) return;
        const last = JSON.parse(lines().at(-1)!);
        if (lines().length > linesBeforeGc && last.gc.major.count >= 1 && last.gc.minor.count >= 1) resolve();
      });
    });
    await sawGc;
    cli.kill('SIGINT');
    expect(await exited).toBe(130);
    const objects = lines().map((l) => JSON.parse(l));
    let previous: { time: string; gc: Record<string, { count: number }> } | undefined;
    for (const o of objects) {
      expect(o.schema).toBe('heapwatch/gc@1');
      expect(o.pid).toBe(target.pid);
      expect(o.spaces.new_space.group).toBe('young');
      expect(o.spaces.old_space.group).toBe('old');
      expect(o.spaces.code_space.group).toBe('code');
      const sum = (group: string, field: 'used' | 'size'): number =>
        Object.values(o.spaces as Record<string, { group: string; used: number; size: number }>)
          .filter((s) => s.group === group)
          .reduce((n, s) => n + s[field], 0);
      expect(o.oldUsed).toBe(sum('old', 'used'));
      expect(o.newCapacity).toBe(sum('young', 'size'));
      expect(o.oldUsedPercentOfLimit).toBeCloseTo((100 * o.oldUsed) / o.heapSizeLimit, 10);
      expect(o.memory.rss).toBeGreaterThan(o.heap.usedHeapSize);
      if (previous) {
        // each interval is exactly the time between two samples, and counts since attaching only grow
        expect(o.intervalMs).toBe(Date.parse(o.time) - Date.parse(previous.time));
        for (const kind of ['minor', 'major', 'incremental']) {
          expect(o.gc[kind].count).toBeGreaterThanOrEqual(previous.gc[kind].count);
        }
      }
      previous = o;
    }
    // the forced mark-compact shows up as the floor of the old generation
    expect(objects.at(-1).oldUsedAfterLastMajorGc).toBeGreaterThan(0);
  });

  it('Ctrl-C detaches cleanly: exit 130, nothing left in the target, its inspector closed again', async () => {
    const target = await startTarget(['--inspect-port=0']);
    const cli = spawn(process.execPath, [`${ROOT}bin/heapwatch.js`, 'gc', String(target.pid), '100ms'], { cwd: ROOT });
    let out = '';
    let err = '';
    cli.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      cli.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.split('\n').length > 4) resolve();
      });
    });
    expect((await target.state()).symbols).toEqual(['Symbol(heapwatch.gc-events)']); // the observer, while attached
    cli.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(afterOpenedNotice(err)).toBe('');
    expect(await target.state()).toEqual({ names: [], symbols: [], inspectorUrl: null });
  });
});
