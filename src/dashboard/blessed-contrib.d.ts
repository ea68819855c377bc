// The few blessed-contrib widgets the dashboard uses (the package ships no types).
declare module 'blessed-contrib' {
  import type { Widgets } from 'blessed';

  export interface LineSeries {
    title: string;
    x: string[];
    y: number[];
    style?: { line?: string };
  }
  export interface LineChart extends Widgets.BoxElement {
    options: { maxY?: number; minY?: number; [key: string]: unknown };
    setData(series: LineSeries[]): void;
  }
  export interface Gauge extends Widgets.BoxElement {
    setPercent(percent: number): void;
  }
  export function line(options: Record<string, unknown>): LineChart;
  export function gauge(options: Record<string, unknown>): Gauge;
}
