import { formatBytes, formatPercent, padLeft, padRight } from '../format.js';
import type { AllocationPanel } from './allocations.js';
import { type DashboardModel, GC_KINDS } from './model.js';
import type { TargetInfo } from './source.js';
import { forecastHeadline } from './text.js';

/** Text of the panels, built from the model without a terminal (blessed tags for colour). */

/** Process numbers that come from outside the samples: pidusage, and our own cost. */
export interface ProcessStats {
  cpuPercent?: number;
  rss?: number;
}

export interface StatusState {
  info: TargetInfo;
  intervalMs: number;
  windowMs: number;
  paused: boolean;
  gone?: string;
  message?: string;
  selfCpuPercent?: number;
  process: ProcessStats;
  /** Set while allocation sampling runs (key s): the panel of live allocation sites. */
  allocations?: AllocationPanel;
}

export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

/** "250ms", "1s", "1.5s", "2m". */
export function formatInterval(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(2))}s`;
  return `${Number((ms / 60_000).toFixed(2))}m`;
}

export function memoryText(model: DashboardModel, proc: ProcessStats): string {
  const p = model.latest();
  if (!p) return 'waiting for the first sample';
  const row = (name: string, value: string) => `${padRight(name, 16)}${padLeft(value, 10)}`;
  return [
    row('heap used', formatBytes(p.heapUsed)),
    row('heap capacity', formatBytes(p.heapCapacity)),
    row('heap limit', formatBytes(p.heapLimit)),
    row('RSS', formatBytes(p.rss)),
    row('external', formatBytes(p.external)),
    row('array buffers', formatBytes(p.arrayBuffers)),
    row('process CPU', proc.cpuPercent === undefined ? 'n/a' : `${proc.cpuPercent.toFixed(1)}%`),
    row('process RSS', proc.rss === undefined ? 'n/a' : formatBytes(proc.rss)),
  ].join('\n');
}

export function gcText(model: DashboardModel): string {
  const head = `${padRight('kind', 11)}${padLeft('count', 7)}${padLeft('total ms', 10)}${padLeft('max ms', 8)}`;
  const rows = GC_KINDS.map((k) => {
    const s = model.gc[k];
    return `${padRight(k === 'weakcb' ? 'weak cb' : k, 11)}${padLeft(String(s.count), 7)}${padLeft(s.totalMs.toFixed(1), 10)}${padLeft(s.maxMs.toFixed(1), 8)}`;
  });
  const p = model.latest();
  const gcPct = p?.gcFraction === undefined ? 'n/a' : formatPercent(p.gcFraction);
  const first = model.firstTime;
  const span = p && first !== undefined ? p.time - first : 0;
  const overall = span > 0 ? formatPercent(Math.min(1, model.totalGcMs() / span)) : 'n/a';
  return [
    `{bold}${head}{/bold}`,
    ...rows,
    '',
    `GC time, last interval: ${gcPct}`,
    `GC time since attach:   ${overall}`,
  ].join('\n');
}

export function pausesText(model: DashboardModel): string {
  const pauses = model.lastPauses();
  if (pauses.length === 0) return 'no GC yet';
  return [...pauses]
    .reverse()
    .map((e) => {
      const d = new Date(e.startTime);
      const t = `${d.toTimeString().slice(0, 8)}.${String(d.getMilliseconds()).padStart(3, '0')}`; // local time
      return `${t} ${padRight(e.kind === 'weakcb' ? 'weak cb' : e.kind, 12)}${padLeft(e.durationMs.toFixed(1), 7)} ms`;
    })
    .join('\n');
}

export function forecastText(model: DashboardModel): string {
  const f = model.forecast();
  const colour = f.state === 'rising' ? 'red' : f.state === 'stable' ? 'green' : 'yellow';
  const lines = [`{bold}{${colour}-fg}${forecastHeadline(f)}{/${colour}-fg}{/bold}`, ''];
  const b = model.baselines();
  if (b.length > 0) {
    const last = b[b.length - 1];
    lines.push(`old gen after last major GC: ${formatBytes(last.bytes)}`);
    lines.push(`major GC readings in the last ${formatInterval(model.forecastWindowMs)}: ${b.length}`);
  }
  if (model.latest()) lines.push(`old gen may grow to: ${formatBytes(Math.max(0, model.oldLimit()))}`);
  if (f.state === 'rising') lines.push(`trend line of the baselines now: ~${formatBytes(Math.round(f.baseline))}`);
  return lines.join('\n');
}

/** Cuts the middle out of a long text: the start and the end of a command line say the most. */
export function ellipsize(text: string, width: number): string {
  if (text.length <= width) return text;
  if (width <= 3) return text.slice(0, Math.max(0, width));
  const tail = Math.ceil((width - 3) / 2);
  return `${text.slice(0, width - 3 - tail)}...${text.slice(text.length - tail)}`;
}

function cutEnd(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 3)}...`;
}

/** Text from outside (a command line, an error) as one line of plain text in a box that parses blessed tags. */
export function plainLine(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/[{}]/g, (c) => (c === '{' ? '{open}' : '{close}'));
}

/** Two lines: who and how (the command shortened to fit `width`), then the state, the keys and the last message. */
export function statusText(model: DashboardModel, s: StatusState, width: number, now = Date.now()): string {
  const before = [`pid ${s.info.pid}`];
  const after = [
    `Node ${s.info.nodeVersion}`,
    `up ${formatDuration(Math.max(0, now - s.info.startedAt))}`,
    `interval ${formatInterval(s.intervalMs)}`,
    `window ${formatInterval(s.windowMs)}`,
    `samples ${model.samples}`,
    `dashboard CPU ${s.selfCpuPercent === undefined ? 'n/a' : `${s.selfCpuPercent.toFixed(1)}%`}`,
  ];
  const sep = '  ';
  const fixed = [...before, ...after].join(sep).length + 2 * sep.length;
  const command = plainLine(ellipsize(s.info.command.replace(/\s+/g, ' '), Math.max(10, width - fixed - 1)));
  let state = '';
  let stateWidth = 0;
  if (s.gone) {
    const text = `TARGET GONE: ${s.gone} (last data kept; q quits)`;
    state = `{red-fg}{bold}${plainLine(text)}{/bold}{/red-fg}  `;
    stateWidth = text.length + 2;
  } else if (s.paused) {
    state = '{yellow-fg}{bold}PAUSED{/bold}{/yellow-fg}  ';
    stateWidth = 'PAUSED  '.length;
  }
  const keys = `keys: d dump  g GC  s ${s.allocations ? 'stop sampling' : 'sample'}  p pause  +/- interval  q quit`;
  // the latest message gets what is left of the second line; its start says the most, so the end is cut
  const room = width - stateWidth - keys.length - 5;
  const message = s.message && room > 10 ? `  |  ${plainLine(cutEnd(s.message.replace(/\s+/g, ' '), room))}` : '';
  return `${[...before, command, ...after].join(sep)}\n${state}${keys}${message}`;
}
