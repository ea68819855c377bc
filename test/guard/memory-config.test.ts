import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers.js';

const { parseSize, readMemoryConfig } = await import(join(REPO, 'dist/guard/memory-config.cjs'));

describe('memory watch settings', () => {
  it('reads sizes in bytes, KB/MB/GB (binary), with or without B or iB', () => {
    expect(parseSize('1073741824')).toBe(1073741824);
    expect(parseSize('512MB')).toBe(512 * 1024 ** 2);
    expect(parseSize('512m')).toBe(512 * 1024 ** 2);
    expect(parseSize('1.5GiB')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('64 KB')).toBe(64 * 1024);
    for (const bad of ['lots', '', '0', '-5MB', '12PB', '1e9', 'MB']) expect(parseSize(bad), bad).toBe(null);
  });

  it('takes a share of the limit or an absolute threshold; anything else is one warning and the default', () => {
    const warnings: string[] = [];
    const read = (env: Record<string, string>) => readMemoryConfig(env, (m: string) => warnings.push(m));
    expect(read({})).toEqual({
      maxRss: null,
      thresholdFraction: 0.85,
      thresholdBytes: null,
      sample: false,
      sampleInterval: 131072,
    });
    expect(read({ HEAPWATCH_RSS_THRESHOLD: '70%', HEAPWATCH_MAX_RSS: '1G', HEAPWATCH_SAMPLE: '1' })).toMatchObject({
      maxRss: 1024 ** 3,
      thresholdFraction: 0.7,
      thresholdBytes: null,
      sample: true,
    });
    expect(read({ HEAPWATCH_RSS_THRESHOLD: '400MB' })).toMatchObject({ thresholdBytes: 400 * 1024 ** 2 });
    expect(warnings).toEqual([]);
    expect(read({ HEAPWATCH_RSS_THRESHOLD: '0%', HEAPWATCH_SAMPLE: 'yes', HEAPWATCH_SAMPLE_INTERVAL: '12' })).toEqual(
      read({}),
    );
    expect(warnings).toEqual([
      'HEAPWATCH_SAMPLE=yes is not 1 or 0; sampling stays off',
      'HEAPWATCH_SAMPLE_INTERVAL=12 is not a size of at least 1KB; using 128KB',
      'HEAPWATCH_RSS_THRESHOLD=0% is not a share of the limit between 1% and 100%; using 85%',
    ]);
  });
});
