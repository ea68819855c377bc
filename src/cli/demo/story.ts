// `heapwatch demo`: the origin story played for real. The leaky push sender dies in a small heap under the
// guard while live gc rows show the heap climbing; its near-heap-limit dump is checked and analysed and the
// suspect names sendHistory; then the fixed sender delivers the same campaign in the same heap, flat.
import { relative } from 'node:path';
import { formatBytes, formatCount } from '../../format.js';
import type { SuspectJson } from '../../report/leak-findings.js';
import { stopAllChildren } from './children.js';
import { analyseDump, type DumpAnalysis, type DumpCheck, findDumps } from './post-mortem.js';
import { type ProviderProcess, startProviderProcess } from './provider.js';
import { loadPushSender, type PushSenderModule } from './push-sender.js';
import { runSender, type SenderRun } from './sender-run.js';

export interface DemoOptions {
  dir: string;
  members: number;
  heapMb: number;
  /** Time between live gc rows. */
  intervalMs: number;
  /** Each sender is killed after this long. */
  senderTimeoutMs: number;
  say: (line: string) => void;
}

/** What `heapwatch demo --json` prints (schema heapwatch/demo@1); sizes in bytes, times in ms. */
export interface DemoResult {
  schema: 'heapwatch/demo@1';
  ok: boolean;
  /** Why the story did not play out as expected; empty when ok. */
  problems: string[];
  dir: string;
  members: number;
  heapMb: number;
  elapsedMs: number;
  provider: { pid: number; url: string; batchLimit: number; latencyMs: number } | null;
  leaky: SenderJson | null;
  dump: DumpCheck | null;
  /** Node's fatal-error reports the leaky sender left (process.report, mode 0600). */
  diagnosticReports: string[];
  analysis: {
    nodeCount: number;
    edgeCount: number;
    totalSize: number;
    htmlReport: string;
    suspectCount: number;
    topSuspect: SuspectJson | null;
  } | null;
  /**
   * The top live allocation sites of the heap profile the guard wrote as the leaky sender's heap ran out (V8's
   * sampling heap profiler, run in the sender): the code that made what the suspect holds.
   */
  allocationSites: { site: string; bytes: number; percent: number }[] | null;
  fixed: (SenderJson & { deliveredToProvider: number | null }) | null;
  /** Every process the demo started; all of them have exited when it returns. */
  pids: number[];
}

interface SenderJson {
  pid: number;
  command: string[];
  exitCode: number;
  signal: string | null;
  timedOut: boolean;
  heapExhausted: boolean;
  fatalError: string | null;
  sent: number;
  recorded: number;
  summary: SenderRun['summary'];
  live: SenderRun['live'];
  log: string;
  elapsedMs: number;
}

const PROVIDER = { batchLimit: 500, latencyMs: 50 };
const PROGRESS_EVERY = 1000;

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The sender's command line as a reader would type it (paths relative to the current folder). */
function shown(argv: string[]): string {
  const near = (a: string) => {
    const r = relative(process.cwd(), a);
    return r && !r.startsWith('..') ? r : a;
  };
  const args = argv.slice(1).map((a) => (a.startsWith('/') ? near(a) : a));
  return ['node', '--inspect-port=0', ...args].join(' '); // runSender adds the port option so it can attach
}

function senderJson(run: SenderRun, command: string[], log: string): SenderJson {
  return {
    pid: run.pid,
    command,
    exitCode: run.exit.exitCode,
    signal: run.exit.signal,
    timedOut: run.timedOut,
    heapExhausted: run.heapExhausted,
    fatalError: run.fatalLine,
    sent: run.counts.sent,
    recorded: run.counts.recorded,
    summary: run.summary,
    live: run.live,
    log,
    elapsedMs: run.elapsedMs,
  };
}

function howItEnded(run: SenderRun): string {
  if (run.timedOut) return 'was killed after the time limit';
  return run.exit.signal ? `was killed by ${run.exit.signal}` : `exited with code ${run.exit.code}`;
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const say = o.say;
  const { guardedEnv } = await import('../run/child.js');
  const ps: PushSenderModule = await loadPushSender();
  const result: DemoResult = {
    schema: 'heapwatch/demo@1',
    ok: false,
    problems: [],
    dir: o.dir,
    members: o.members,
    heapMb: o.heapMb,
    elapsedMs: 0,
    provider: null,
    leaky: null,
    dump: null,
    diagnosticReports: [],
    analysis: null,
    allocationSites: null,
    fixed: null,
    pids: [],
  };
  const problems = result.problems;
  const env = guardedEnv(process.env, { dir: o.dir, maxOldSpaceSizeMb: o.heapMb, nearLimit: 1, maxDumps: 5 });
  // the leaky one also samples its allocations (heapwatch run --sample): the profile is written before the dump
  const leakyEnv = guardedEnv(process.env, {
    dir: o.dir,
    maxOldSpaceSizeMb: o.heapMb,
    nearLimit: 1,
    maxDumps: 5,
    sample: true,
  });

  const liveIntro = (pid: number) => {
    say(`   pid ${pid}: its heap and GC live over its inspector (heapwatch gc columns, sizes in KB),`);
    say(`   beside the members sent and the outcomes recorded as the sender reports them:`);
  };

  say(
    `heapwatch demo: a sale campaign of push notifications to ${formatCount(o.members)} members, in a ${o.heapMb} MB heap`,
  );
  say(`  folder for dumps, reports and logs: ${o.dir}`);
  try {
    const provider: ProviderProcess = await startProviderProcess(ps.PROVIDER_SCRIPT, {
      ...PROVIDER,
      timeoutMs: 20_000,
    });
    result.provider = { pid: provider.pid, url: provider.url, ...PROVIDER };
    result.pids.push(provider.pid);
    say(
      `  mock push provider: ${provider.url} (pid ${provider.pid}; up to ${PROVIDER.batchLimit} tokens a call, answers after ${PROVIDER.latencyMs} ms)`,
    );

    // 1. the leaky sender, until the heap runs out
    say('');
    say(`1. The leaky sender: every batch of 100 in flight at once; each batch's promise, payload and`);
    say(`   response kept in sendHistory until the campaign ends. Guarded as by heapwatch run:`);
    const leakyArgv = ps.senderCommand({
      providerUrl: provider.url,
      members: o.members,
      mode: 'leaky',
      progressEvery: PROGRESS_EVERY,
    });
    say(`   $ heapwatch run --dir ${o.dir} --max-old-space-size ${o.heapMb} --sample -- ${shown(leakyArgv)}`);
    const leakyLog = `${o.dir}/leaky-sender.log`;
    const leakyStart = Date.now();
    const leaky = await runSender({
      mode: 'leaky',
      argv: leakyArgv,
      env: leakyEnv,
      intervalMs: o.intervalMs,
      timeoutMs: o.senderTimeoutMs,
      logPath: leakyLog,
      print: say,
      onStart: liveIntro,
      pushSender: ps,
    });
    result.pids.push(leaky.pid);
    result.leaky = senderJson(leaky, leakyArgv, leakyLog);
    if (leaky.live.error) say(`   (no live rows: ${leaky.live.error})`);
    if (leaky.summary) {
      problems.push(
        `the leaky sender completed all ${formatCount(o.members)} members in a ${o.heapMb} MB heap: nothing ran out; use more --members or a smaller --heap`,
      );
      say(`   the leaky sender completed the campaign: the heap was big enough for ${formatCount(o.members)} members`);
    } else if (leaky.heapExhausted) {
      say(
        `   the sender died of heap exhaustion (${leaky.exit.signal ?? `code ${leaky.exit.code}`}) after ${formatCount(leaky.counts.sent)} of ${formatCount(o.members)} members sent, ${formatCount(leaky.counts.recorded)} outcomes recorded (${seconds(leaky.elapsedMs)})`,
      );
    } else {
      problems.push(`the leaky sender ${howItEnded(leaky)}, not of heap exhaustion (its output: ${leakyLog})`);
      say(`   the leaky sender ${howItEnded(leaky)} (its output: ${leakyLog})`);
    }

    // 2. the dump it left
    say('');
    say('2. The dump, checked and analysed (as heapwatch run does after a crash):');
    const { dumps, reports, profiles } = await findDumps(o.dir, leakyStart - 1000, 5, ps.SENDER_SCRIPT);
    result.diagnosticReports = reports;
    const dump = [...dumps].reverse().find((d) => d.complete) ?? dumps.at(-1) ?? null;
    result.dump = dump;
    let analysis: DumpAnalysis | null = null;
    if (!dump) {
      problems.push(`the leaky sender left no heap snapshot in ${o.dir}`);
      say(`   no heap snapshot was written in ${o.dir}`);
    } else if (!dump.complete) {
      problems.push(`the heap snapshot is partial (${dump.problem}): ${dump.path}`);
      say(`   ${dump.reason} heap snapshot is PARTIAL (${dump.problem}), not analysed: ${dump.path}`);
    } else {
      const mode = `0${dump.mode.toString(8)}`;
      say(`   ${dump.reason} heap snapshot: ${formatBytes(dump.size)}, complete (ends with its strings), mode ${mode}`);
      if (dump.mode !== 0o600) problems.push(`the heap snapshot is mode ${mode}, not 0600: ${dump.path}`);
      const analysisStart = Date.now();
      try {
        analysis = await analyseDump(dump.path);
      } catch (err) {
        problems.push(`the heap snapshot could not be analysed: ${(err as Error).message}`);
        say(`   heapwatch: ${(err as Error).message}`);
      }
      if (analysis) {
        const top = analysis.suspects[0] ?? null;
        result.analysis = {
          nodeCount: analysis.nodeCount,
          edgeCount: analysis.edgeCount,
          totalSize: analysis.totalSize,
          htmlReport: analysis.htmlReport,
          suspectCount: analysis.suspects.length,
          topSuspect: top,
        };
        for (const line of analysis.text.split('\n')) say(line ? `   ${line}` : '');
        say(`   (analysed in ${seconds(Date.now() - analysisStart)})`);
        if (!top) problems.push('the analysis found no leak suspect');
        else if (!top.pathText.includes('sendHistory')) {
          problems.push(`the top suspect's path does not name sendHistory: ${top.pathText}`);
        }
      }
    }
    result.allocationSites = await allocationSites(profiles.at(-1), say);

    // 3. the fixed sender, same campaign, same heap
    say('');
    say('3. The fixed sender: 8 workers, batches of 500, each outcome into a one-byte-per-member store,');
    say(`   nothing else kept. Same campaign, same ${o.heapMb} MB heap:`);
    const fixedArgv = ps.senderCommand({
      providerUrl: provider.url,
      members: o.members,
      mode: 'fixed',
      progressEvery: PROGRESS_EVERY,
    });
    say(`   $ heapwatch run --dir ${o.dir} --max-old-space-size ${o.heapMb} -- ${shown(fixedArgv)}`);
    const before = (await provider.stats()).tokensReceived;
    const fixedLog = `${o.dir}/fixed-sender.log`;
    const fixed = await runSender({
      mode: 'fixed',
      argv: fixedArgv,
      env,
      intervalMs: o.intervalMs,
      timeoutMs: o.senderTimeoutMs,
      logPath: fixedLog,
      print: say,
      onStart: liveIntro,
      pushSender: ps,
    });
    result.pids.push(fixed.pid);
    const delivered = (await provider.stats()).tokensReceived - before;
    result.fixed = { ...senderJson(fixed, fixedArgv, fixedLog), deliveredToProvider: delivered };
    if (fixed.live.error) say(`   (no live rows: ${fixed.live.error})`);
    const s = fixed.summary;
    if (!s || fixed.exit.exitCode !== 0) {
      problems.push(`the fixed sender ${howItEnded(fixed)} before completing (its output: ${fixedLog})`);
      say(`   the fixed sender ${howItEnded(fixed)} (its output: ${fixedLog})`);
    } else {
      const outcomes = Object.entries(s.outcomes)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${formatCount(n)} ${k}`)
        .join(', ');
      say(
        `   campaign complete: ${formatCount(delivered)} of ${formatCount(o.members)} members delivered to the provider, ${formatCount(s.recorded)} outcomes recorded`,
      );
      say(`   (${outcomes}), first to last message ${seconds(s.durationMs)},`);
      say(`   peak heap used ${formatBytes(s.peakHeapUsed)} with a ${o.heapMb} MB old-space limit`);
      if (s.recorded !== o.members) problems.push(`the fixed sender recorded ${s.recorded} of ${o.members} outcomes`);
      if (delivered !== o.members) problems.push(`the provider received ${delivered} of ${o.members} tokens`);
      if ((s.outcomes.failed ?? 0) > 0) problems.push(`${s.outcomes.failed} messages failed to send`);
    }

    // where things are
    say('');
    if (dump) say(`heap snapshot:  ${dump.path}`);
    if (analysis) say(`HTML report:    ${analysis.htmlReport}`);
    for (const r of result.diagnosticReports) say(`Node's diagnostic report of the crash: ${r}`);
    if (dump?.complete) {
      say('open the dump in Chrome DevTools: DevTools (F12) → Memory tab → Load profile → the .heapsnapshot above');
      say(`or read it here: heapwatch analyze ${dump.path}`);
    }
  } finally {
    await stopAllChildren();
  }
  result.elapsedMs = Date.now() - started;
  result.ok = problems.length === 0;
  if (result.ok) {
    say(
      `heapwatch demo: done in ${seconds(result.elapsedMs)}: the leak is sendHistory; the fixed sender delivered all ${formatCount(o.members)} in the same heap`,
    );
  }
  return result;
}

/** Where the leaked memory was allocated: the top sites of the guard's heap profile, printed after the suspect. */
async function allocationSites(
  profile: string | undefined,
  say: (line: string) => void,
): Promise<DemoResult['allocationSites']> {
  if (!profile) {
    say('   (the sender left no allocation profile: the heap ran out before the guard could write one)');
    return null;
  }
  const { profileTopSites } = await import('../run/profile-summary.js');
  try {
    const sites = profileTopSites(profile, 3);
    say('   allocated by (V8 sampling heap profiler in the sender; live when the heap ran out, sizes estimated):');
    for (const s of sites) {
      say(`     ${formatBytes(s.bytes).padStart(9)} ${`${s.percent.toFixed(1)}%`.padStart(6)}  ${s.site}`);
    }
    say(`   all sites and call paths: heapwatch sample --from ${profile}`);
    return sites;
  } catch (err) {
    say(`   heap profile ${profile}: ${(err as Error).message}`);
    return null;
  }
}
