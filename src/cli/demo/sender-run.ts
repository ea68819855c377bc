// One guarded run of the push sender, as `heapwatch run` starts it (the guard preloaded, dumps into the demo
// folder), with live gc rows while it runs. Its own output goes to a log file; the demo shows what matters.
import { createWriteStream, renameSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createTemp } from '../../guard/safe-file.cjs';
import { type ChildExit, runGuarded } from '../run/child.js';
import { trackChild } from './children.js';
import type { MemberCounts } from './gc-lines.js';
import { type ChildState, type LiveStats, printLiveRows } from './live-rows.js';
import type { PushSenderModule, SenderSummary } from './push-sender.js';

export interface SenderRunOptions {
  mode: 'leaky' | 'fixed';
  /** The sender's command line (senderCommand); the demo adds --inspect-port=0 so it can attach. */
  argv: string[];
  /** guardedEnv(…): the preload, the dump folder, the heap limit. */
  env: NodeJS.ProcessEnv;
  intervalMs: number;
  /** Killed (SIGKILL) after this long. */
  timeoutMs: number;
  logPath: string;
  print: (line: string) => void;
  /** Called with the sender's pid as soon as it is spawned. */
  onStart?: (pid: number) => void;
  pushSender: PushSenderModule;
}

export interface SenderRun {
  pid: number;
  exit: ChildExit;
  timedOut: boolean;
  summary: SenderSummary | null;
  /** The last progress the sender reported. */
  counts: MemberCounts;
  /** V8 said "JavaScript heap out of memory". */
  heapExhausted: boolean;
  /** V8's fatal error line, if it printed one. */
  fatalLine: string | null;
  live: LiveStats;
  elapsedMs: number;
}

export async function runSender(o: SenderRunOptions): Promise<SenderRun> {
  const argv = [o.argv[0], '--inspect-port=0', ...o.argv.slice(1)];
  // a random temp beside the log (exclusive, no symlink followed), given the log's name when the run ends or the
  // process exits (Ctrl-C): a log cut short is still worth reading
  const logTemp = createTemp(o.logPath);
  const log = createWriteStream('', { fd: logTemp.fd });
  let logNamed = false;
  const nameLog = (): void => {
    if (logNamed) return;
    logNamed = true;
    try {
      renameSync(logTemp.path, o.logPath);
    } catch {}
  };
  process.once('exit', nameLog);
  const counts: MemberCounts = { sent: 0, recorded: 0 };
  let summary: SenderSummary | null = null;
  let heapExhausted = false;
  let fatalLine: string | null = null;
  let timedOut = false;
  let settle!: () => void;
  const settled = new Promise<void>((r) => {
    settle = r;
  });
  let state: ChildState | undefined;
  let streamsClosed: Promise<unknown> = Promise.resolve();
  const started = Date.now();

  const onStderr = (line: string) => {
    log.write(`${line}\n`);
    const p = o.pushSender.parseProgressLine(line);
    if (p) {
      counts.sent = p.sent;
      counts.recorded = p.recorded;
    } else if (line.startsWith('heapwatch: ')) {
      o.print(line); // the guard: near-heap-limit snapshot written, renamed, retention
    } else if (line.startsWith('FATAL ERROR:')) {
      fatalLine = line;
      o.print(line);
    }
    if (line.includes('JavaScript heap out of memory')) heapExhausted = true;
  };
  const onStdout = (line: string) => {
    log.write(`${line}\n`);
    const s = o.pushSender.parseSummaryLine(line);
    if (s && state) {
      summary = s;
      state.finished = true;
      settle();
    }
  };

  let timer: NodeJS.Timeout | undefined;
  let live: Promise<LiveStats> | undefined;
  const exited = runGuarded(argv, o.env, {
    stdio: ['ignore', 'pipe', 'pipe'],
    onSpawn: (child) => {
      trackChild(`${o.mode} sender`, child);
      if (child.pid === undefined) return;
      state = { pid: child.pid, counts, finished: false, exited: false, settled };
      o.onStart?.(child.pid);
      child.once('exit', () => {
        if (state) state.exited = true;
        settle();
      });
      const out = createInterface({ input: child.stdout! });
      const err = createInterface({ input: child.stderr! });
      out.on('line', onStdout);
      err.on('line', onStderr);
      streamsClosed = Promise.all([new Promise((r) => out.once('close', r)), new Promise((r) => err.once('close', r))]);
      timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, o.timeoutMs);
      live = printLiveRows(state, { intervalMs: o.intervalMs, print: o.print });
    },
  });
  try {
    const exit = await exited;
    await streamsClosed; // every line read (the summary comes last)
    const liveStats = await live!;
    return {
      pid: state?.pid ?? 0,
      exit,
      timedOut,
      summary,
      counts,
      heapExhausted,
      fatalLine,
      live: liveStats,
      elapsedMs: Date.now() - started,
    };
  } finally {
    clearTimeout(timer);
    await new Promise((r) => log.end(r));
    nameLog();
    process.off('exit', nameLog);
  }
}
