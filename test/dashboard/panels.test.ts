import { describe, expect, it } from 'vitest';
import { DashboardModel } from '../../src/dashboard/model.js';
import { parsePercent } from '../../src/dashboard/options.js';
import { ellipsize, formatDuration, formatInterval, gcText, statusText } from '../../src/dashboard/panels.js';
import { formatMinutes, formatRate } from '../../src/dashboard/text.js';

describe('panel text', () => {
  it('formats durations, intervals, rates and minutes', () => {
    expect([0, 59_999, 60_000, 3_599_000, 3_600_000, 49 * 3_600_000].map(formatDuration)).toEqual([
      '0s',
      '59s',
      '1m00s',
      '59m59s',
      '1h00m',
      '2d01h',
    ]);
    expect([250, 1000, 1500, 600_000].map(formatInterval)).toEqual(['250ms', '1s', '1.5s', '10m']);
    expect(formatRate(3.25 * 1024 * 1024)).toBe('+3.3 MB/min');
    expect(formatRate(-1024 * 1024)).toBe('-1.0 MB/min');
    expect([0.5, 1.4, 99.4, 150].map(formatMinutes)).toEqual(['<1 min', '~1 min', '~99 min', '~2.5 h']);
  });

  it('cuts a long command in the middle, keeping its start and its script', () => {
    expect(ellipsize('node --max-old-space-size=64 /srv/app/server.js', 30)).toBe('node --max-ol.../app/server.js'); // 13 + ... + 14;
    expect(ellipsize('node a.js', 30)).toBe('node a.js');
  });

  it('status line: who, how, and the keys; the command shrinks to fit the width', () => {
    const model = new DashboardModel({ windowMs: 600_000 });
    const state = {
      info: { pid: 77, command: `node ${'x'.repeat(200)}.js`, nodeVersion: 'v20.20.2', startedAt: 0 },
      intervalMs: 1000,
      windowMs: 600_000,
      paused: true,
      selfCpuPercent: 1.25,
      process: {},
    };
    const [line1, line2] = statusText(model, state, 160, 3_723_000).split('\n');
    expect(line1.length).toBeLessThanOrEqual(160);
    expect(line1).toMatch(
      /^pid 77 {2}node x+\.\.\.x+\.js {2}Node v20\.20\.2 {2}up 1h02m {2}interval 1s {2}window 10m {2}samples 0 {2}dashboard CPU 1\.3%$/,
    );
    expect(line2).toBe(
      '{yellow-fg}{bold}PAUSED{/bold}{/yellow-fg}  keys: d dump  g GC  s sample  p pause  +/- interval  q quit',
    );
  });

  it('a command line or message from outside stays one line of plain text (no tags, no newlines)', () => {
    const model = new DashboardModel({ windowMs: 600_000 });
    const state = {
      info: { pid: 5, command: 'node -e\nconst a = {bold: 1};\n  run()', nodeVersion: 'v22.1.0', startedAt: 0 },
      intervalMs: 250,
      windowMs: 60_000,
      paused: false,
      message: `sample failed: {red-fg}boom\n${'z'.repeat(200)}`,
      process: {},
    };
    const [line1, line2, more] = statusText(model, state, 160, 5_000).split('\n');
    expect(more).toBeUndefined();
    expect(line1).toBe(
      'pid 5  node -e const a = {open}bold: 1{close}; run()  Node v22.1.0  up 5s  interval 250ms  window 1m  samples 0  dashboard CPU n/a',
    );
    // 160 - 59 (the keys) - 5 = 96 characters for the message: 28 before the z's, 65 z's, '...'
    expect(line2).toBe(
      `keys: d dump  g GC  s sample  p pause  +/- interval  q quit  |  sample failed: {open}red-fg{close}boom ${'z'.repeat(96 - 3 - 28)}...`,
    );
  });

  it('GC table before any sample', () => {
    const text = gcText(new DashboardModel({ windowMs: 1000 }));
    expect(text.split('\n').slice(1, 5)).toEqual([
      'minor            0       0.0     0.0',
      'major            0       0.0     0.0',
      'incremental      0       0.0     0.0',
      'weak cb          0       0.0     0.0',
    ]);
    expect(text).toContain('GC time, last interval: n/a');
  });

  it('parses --dump-at percents', () => {
    expect(parsePercent('85%', '--dump-at')).toBe(85);
    expect(() => parsePercent('0', '--dump-at')).toThrow('not a percent between 1 and 100');
  });
});
