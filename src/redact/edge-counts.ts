/**
 * Every node's edge count, recorded while the nodes are read once, so that the edges can be walked node by node
 * afterwards without parsing the nodes again. A byte per node; the rare counts of 255 or more go to a list read
 * back in the same order.
 */
export class EdgeCounts {
  private small: Uint8Array;
  private large = new Uint32Array(1024);
  private largeCount = 0;
  private nodes = 0;
  private nextLarge = 0;

  constructor(expected: number) {
    // grown as nodes come (a header may announce more nodes than the file holds)
    this.small = new Uint8Array(Math.min(expected, 1 << 20));
  }

  get length(): number {
    return this.nodes;
  }

  push(count: number): void {
    if (this.nodes === this.small.length) {
      const bigger = new Uint8Array(Math.max(1024, this.small.length * 2));
      bigger.set(this.small);
      this.small = bigger;
    }
    if (count < 255) {
      this.small[this.nodes++] = count;
      return;
    }
    this.small[this.nodes++] = 255;
    if (this.largeCount === this.large.length) {
      const bigger = new Uint32Array(this.large.length * 2);
      bigger.set(this.large);
      this.large = bigger;
    }
    this.large[this.largeCount++] = count;
  }

  /** The count of node o; called for o = 0, 1, 2… in order. */
  next(o: number): number {
    const c = this.small[o];
    return c < 255 ? c : this.large[this.nextLarge++];
  }
}
