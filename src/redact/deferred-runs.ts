import type { RecordSink } from '../snapshot/scan-targets.js';

/**
 * A sink that holds the runs of records it is given (copies, in the order they come) until its real sink is
 * known, then hands them over in that order and passes on whatever comes after. The main thread parses edge
 * chunks from the back with it while the worker ends the nodes, whose edge counts the back walk needs
 * (parallel-pass.ts). `full` once the copies reach `maxNumbers`: the caller then takes no more before resolve().
 */
export class DeferredRuns implements RecordSink {
  private target: RecordSink | null = null;
  private runs: { values: Uint32Array; first: number; count: number }[] = [];
  private held = 0;

  constructor(
    private readonly width: number,
    private readonly maxNumbers: number,
  ) {}

  get full(): boolean {
    return this.held >= this.maxNumbers;
  }

  records(values: Uint32Array, at: number, first: number, count: number): void {
    if (this.target) {
      this.target.records(values, at, first, count);
      return;
    }
    this.runs.push({ values: values.slice(at, at + count * this.width), first, count });
    this.held += count * this.width;
  }

  /** The runs held go to `target` now, in the order they came; the later ones as they come. */
  resolve(target: RecordSink): void {
    this.target = target;
    for (const run of this.runs) target.records(run.values, 0, run.first, run.count);
    this.runs = [];
    this.held = 0;
  }
}
