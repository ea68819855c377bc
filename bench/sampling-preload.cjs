// Preload for bench/sample-cost.mjs: with BENCH_SAMPLE_INTERVAL=<bytes>, V8's sampling heap profiler runs from
// startup (in-process, as the guard's HEAPWATCH_SAMPLE does); at exit, one stderr line with the process's CPU
// time and peak RSS.
'use strict';
const interval = Number(process.env.BENCH_SAMPLE_INTERVAL || 0);
if (interval > 0) {
  const { Session } = require('node:inspector');
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.startSampling', { samplingInterval: interval });
}
process.on('exit', () => {
  const u = process.resourceUsage();
  process.stderr.write(
    `BENCH ${JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRssKb: u.maxRSS })}\n`,
  );
});
