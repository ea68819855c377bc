/**
 * Every node's edge count, recorded while the nodes are read once, so that the edges can be walked node by node
 * afterwards without parsing the nodes again. A byte per node; the rare counts of 255 or more go to a list read
 * back in the same order.
 */
export class EdgeCounts {
  private small: Uint8Array<ArrayBufferLike>;
  private large: Uint32Array<ArrayBufferLike> = new Uint32Array(1024);
  private largeTotal = 0;
  private nodes = 0;
  private nextLarge = 0;
  /** For prev(): the large counts not read back yet, from the end. */
  private prevLarge = -1;
  /** The sum of the counts pushed. */
  total = 0;
  /** Memory given (shared with another thread): not grown. */
  private readonly fixed: boolean;

  /** With `memory` (a byte per node and room for every large count), the counts go there: see SharedCounts. */
  constructor(expected: number, memory?: SharedCounts) {
    this.fixed = memory !== undefined;
    if (memory) {
      this.small = new Uint8Array(memory.small);
      this.large = new Uint32Array(memory.large);
      this.largeTotal = memory.largeCount;
      this.nodes = memory.filled ? this.small.length : 0;
    } else {
      // grown as nodes come (a header may announce more nodes than the file holds)
      this.small = new Uint8Array(Math.min(expected, 1 << 20));
    }
  }

  /** How many counts are 255 or more. */
  get largeCount(): number {
    return this.largeTotal;
  }

  /** A byte per node: its count, or 255 when it is 255 or more (then next() or prev() give it). */
  get bytes(): Uint8Array<ArrayBufferLike> {
    return this.small;
  }

  get length(): number {
    return this.nodes;
  }

  push(count: number): void {
    this.total += count;
    if (this.nodes === this.small.length) {
      if (this.fixed) throw new RangeError('more nodes than the counts were made for');
      const bigger = new Uint8Array(Math.max(1024, this.small.length * 2));
      bigger.set(this.small);
      this.small = bigger;
    }
    if (count < 255) {
      this.small[this.nodes++] = count;
      return;
    }
    this.small[this.nodes++] = 255;
    if (this.largeTotal === this.large.length) {
      // only a sum of counts over the edge count fills shared memory: the caller gives up on the file
      if (this.fixed) throw new RangeError('more large edge counts than the edges allow');
      const bigger = new Uint32Array(this.large.length * 2);
      bigger.set(this.large);
      this.large = bigger;
    }
    this.large[this.largeTotal++] = count;
  }

  /** push() of `count` counts: values[at], values[at + stride]… (the node walks' counts, a run at a time). */
  pushRun(values: Uint32Array, at: number, stride: number, count: number): void {
    if (this.nodes + count > this.small.length) {
      for (let k = 0; k < count; k++) this.push(values[at + k * stride]);
      return;
    }
    const small = this.small;
    let o = this.nodes;
    let total = this.total;
    for (let i = at, end = at + count * stride; i < end; i += stride) {
      const c = values[i];
      total += c;
      if (c < 255) small[o++] = c;
      else {
        this.nodes = o;
        this.total = total - c;
        this.push(c);
        o++;
      }
    }
    this.nodes = o;
    this.total = total;
  }

  /** The count of node o; called for o = 0, 1, 2… in order. */
  next(o: number): number {
    const c = this.small[o];
    return c < 255 ? c : this.large[this.nextLarge++];
  }

  /** The count of node o, read from the last node back: called for o = n-1, n-2… 0 (independently of next()). */
  prev(o: number): number {
    const c = this.small[o];
    if (c < 255) return c;
    if (this.prevLarge < 0) this.prevLarge = this.largeTotal;
    return this.large[--this.prevLarge];
  }
}

/** Edge counts in shared memory: a byte per node, and the counts of 255 or more (at most edge count / 255). */
export interface SharedCounts {
  small: SharedArrayBuffer;
  large: SharedArrayBuffer;
  largeCount: number;
  /** Whether the counts are in (else they are to be pushed). */
  filled: boolean;
}

/** Empty shared memory for the counts of `nodeCount` nodes with `edgeCount` edges. */
export function sharedCounts(nodeCount: number, edgeCount: number): SharedCounts {
  return {
    small: new SharedArrayBuffer(nodeCount),
    large: new SharedArrayBuffer(4 * (Math.floor(edgeCount / 255) + 1)),
    largeCount: 0,
    filled: false,
  };
}
