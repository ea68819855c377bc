import blessed from 'blessed';
import contrib from 'blessed-contrib';
import { formatBytes } from '../format.js';
import { allocationText } from './allocations.js';
import { resampleByTime } from './downsample.js';
import type { DashboardModel, ModelPoint } from './model.js';
import { forecastText, gcText, memoryText, pausesText, type StatusState, statusText } from './panels.js';

const MB = 1024 * 1024;
/** Below this share of the limit, the limit line would flatten the chart: it is named in the label instead. */
const LIMIT_ON_SCALE = 0.25;

/** Local wall-clock time, as the service's own logs usually show it. */
function clock(t: number): string {
  return new Date(t).toTimeString().slice(0, 8);
}

/** The blessed screen and its widgets; `draw` fills them from the model. It holds no data of its own. */
export class DashboardScreen {
  readonly screen: blessed.Widgets.Screen;
  private readonly chart: contrib.LineChart;
  private readonly gauge: contrib.Gauge;
  private readonly memory: blessed.Widgets.BoxElement;
  private readonly gc: blessed.Widgets.BoxElement;
  private readonly pauses: blessed.Widgets.BoxElement;
  private readonly forecast: blessed.Widgets.BoxElement;
  private readonly status: blessed.Widgets.BoxElement;
  /** Over the GC, pauses and forecast panels while allocation sampling runs (key s). */
  private readonly allocations: blessed.Widgets.BoxElement;

  constructor(title: string) {
    this.screen = blessed.screen({ smartCSR: true, title, fullUnicode: false, autoPadding: true });
    const border = { type: 'line' as const };
    const panel = (opts: blessed.Widgets.BoxOptions) =>
      blessed.box({ tags: true, border, style: { border: { fg: 'cyan' } }, padding: { left: 1 }, ...opts });

    this.chart = contrib.line({
      top: 0,
      left: 0,
      width: '66%',
      height: '58%',
      label: ' heap spaces (MB) ',
      tags: true, // the label carries the legend in colour; a legend box would hide the newest points
      border,
      style: { line: 'yellow', text: 'white', baseline: 'white', border: { fg: 'cyan' } },
      xLabelPadding: 3,
      xPadding: 5,
      wholeNumbersOnly: false,
    });
    this.gauge = contrib.gauge({
      top: 0,
      left: '66%',
      width: '34%',
      height: 6,
      label: ' heap used / limit ',
      border,
      stroke: 'green',
      fill: 'white',
      style: { border: { fg: 'cyan' } },
    });
    this.memory = panel({ top: 6, left: '66%', width: '34%', height: '58%-6', label: ' memory ' });
    this.gc = panel({ top: '58%', left: 0, width: '36%', height: '42%-2', label: ' GC per kind (since attach) ' });
    this.pauses = panel({ top: '58%', left: '36%', width: '30%', height: '42%-2', label: ' last GC pauses ' });
    this.forecast = panel({ top: '58%', left: '66%', width: '34%', height: '42%-2', label: ' forecast ' });
    this.status = blessed.box({
      bottom: 0,
      left: 0,
      width: '100%',
      height: 2,
      tags: true,
      wrap: false,
      style: { fg: 'white' },
    });
    this.allocations = panel({
      top: '58%',
      left: 0,
      width: '100%',
      height: '42%-2',
      label: ' live allocation sites ',
      hidden: true,
      wrap: false,
    });
    for (const w of [this.chart, this.gauge, this.memory, this.gc, this.pauses, this.forecast, this.allocations]) {
      this.screen.append(w);
    }
    this.screen.append(this.status);
    // blessed-contrib sizes a canvas when it is attached: give the chart and the gauge new canvases
    this.screen.on('resize', () => {
      this.chart.emit('attach');
      this.gauge.emit('attach');
    });
  }

  draw(model: DashboardModel, status: StatusState): void {
    const points = model.points();
    const last = points[points.length - 1];
    if (last) {
      this.drawChart(points, last);
      const fraction = last.heapLimit > 0 ? last.heapUsed / last.heapLimit : 0;
      // the gauge takes 0..100; values below 1.001 would be read as fractions
      this.gauge.setPercent(Math.max(1.01, Math.min(100, fraction * 100)));
      const numbers = `${formatBytes(last.heapUsed)} / ${formatBytes(last.heapLimit)}`;
      const label = ` heap used / limit: ${numbers} `;
      this.gauge.setLabel(label.length <= Number(this.gauge.width) - 4 ? label : ` ${numbers} `);
    }
    this.memory.setContent(memoryText(model, status.process));
    this.gc.setContent(gcText(model));
    this.pauses.setContent(pausesText(model));
    this.forecast.setContent(forecastText(model));
    const sampling = status.allocations;
    if (sampling) {
      const every = formatBytes(sampling.intervalBytes);
      this.allocations.setLabel(
        sampling.shared
          ? ' live allocation sites (V8 sampling started elsewhere, at its own interval; s hides) '
          : ` live allocation sites (V8 sampling, about one allocation in ${every}; s stops) `,
      );
      const inner = (n: unknown) => Math.max(1, Number(n) - 3);
      this.allocations.setContent(
        allocationText(sampling, inner(this.allocations.width), inner(this.allocations.height) + 1),
      );
      this.allocations.show();
    } else this.allocations.hide();
    this.status.setContent(statusText(model, status, Number(this.screen.width)));
    this.screen.render();
  }

  private drawChart(points: readonly ModelPoint[], last: ModelPoint): void {
    const limitOnScale = last.heapCapacity >= LIMIT_ON_SCALE * last.heapLimit;
    const definitions: [title: string, colour: string, value: (p: ModelPoint) => number][] = [
      ['old', 'red', (p) => p.groups.old.used],
      ['old cap', 'magenta', (p) => p.groups.old.capacity],
      ['young', 'green', (p) => p.groups.young.used],
      ['young cap', 'cyan', (p) => p.groups.young.capacity],
      ['code+other', 'blue', (p) => p.groups.code.used + p.groups.other.used],
    ];
    if (limitOnScale) definitions.push(['limit', 'white', (p) => p.heapLimit]);
    // one point per braille dot column, evenly spaced in time: more would cost CPU on every redraw and show nothing more
    const dots = Math.max(10, Number(this.chart.width) * 2 - 12);
    const reduced = resampleByTime(
      points.map((p) => p.time),
      definitions.map(([, , value]) => points.map((p) => value(p) / MB)),
      dots,
    );
    const x = reduced.times.map(clock);
    const series: contrib.LineSeries[] = definitions.map(([title, colour], i) => ({
      title,
      x,
      y: reduced.columns[i],
      style: { line: colour },
    }));
    const legend = series.map((s) => `{${s.style?.line}-fg}${s.title}{/${s.style?.line}-fg}`).join(', ');
    const offScale = limitOnScale ? '' : `; limit ${formatBytes(last.heapLimit)} off scale`;
    const full = ` heap spaces (MB): ${legend}${offScale} `;
    // a label wider than its box wraps into the chart: drop words until it fits
    const visible = (text: string) => text.replace(/\{[^}]*\}/g, '').length;
    const room = Number(this.chart.width) - 4;
    this.chart.setLabel(visible(full) <= room ? full : visible(` MB: ${legend} `) <= room ? ` MB: ${legend} ` : ' MB ');
    this.chart.setData(series);
  }

  destroy(): void {
    this.screen.destroy();
  }
}
