import { StringTable } from '../snapshot/string-table.js';
import type { IndexFile, Section } from './index-file.js';
import { DETACHED, fieldSources, NodeRecordsBuilder, type StoredNodes, TYPE } from './node-columns.js';

/**
 * Section `name` as a typed array whose elements are read from the index (and checked) when first asked for:
 * a report that looks at a few hundred nodes reads a few hundred blocks. Anything but an element or the length
 * (a method, iteration) reads the whole section first, so no caller ever sees a byte that was not read.
 */
export function lazyArray<T extends Section>(file: IndexFile, name: string): T {
  const view = file.view(name) as T;
  const at = file.entry(name).at;
  const bpe = view.BYTES_PER_ELEMENT;
  return readOnDemand(
    view,
    (i) => {
      file.ensureAt(at + i * bpe);
      return view[i];
    },
    () => file.section(name),
  );
}

/**
 * `target` behind a proxy: an element is `element(i)` (i within the length), the length is the target's, and
 * anything else (a method, iteration) calls `fill()` once first, which makes the whole target right.
 */
function readOnDemand<T extends Section>(target: T, element: (i: number) => number, fill: () => void): T {
  let whole = false;
  return new Proxy(target, {
    get(t, key) {
      if (typeof key === 'string') {
        const c = key.charCodeAt(0);
        if (c >= 48 && c <= 57) {
          const i = Number(key);
          return i < t.length ? element(i) : undefined;
        }
        // a negative index holds nothing, as in any typed array
        if (c === 45) return undefined;
        if (key === 'length') return t.length;
      }
      if (!whole) {
        fill();
        whole = true;
      }
      const v = Reflect.get(t, key, t);
      return typeof v === 'function' ? v.bind(t) : v;
    },
    set: () => false,
  });
}

/** The snapshot's full node records, each field read when asked for from the stored columns, the types or the few listed. */
export function lazyNodes(
  file: IndexFile,
  allFields: string[],
  layout: StoredNodes,
  nodeTypes: Uint8Array,
): Uint32Array {
  const nf = allFields.length;
  const sources = fieldSources(allFields, layout);
  const width = layout.fields.length;
  const records = lazyArray<Uint32Array>(file, 'nodeRecords');
  const detached = new Map<number, number>(layout.detached?.[0].map((o, k) => [o, layout.detached![1][k]]) ?? []);
  // never written unless something asks for the whole array: the kernel gives it memory only then
  const full = new Uint32Array(nodeTypes.length * nf);
  return readOnDemand(
    full,
    (i) => {
      const o = Math.floor(i / nf);
      const src = sources[i - o * nf];
      if (src >= 0) return records[o * width + src];
      return src === TYPE ? nodeTypes[o] : src === DETACHED ? (detached.get(o) ?? 0) : 0;
    },
    () => {
      const builder = new NodeRecordsBuilder(allFields, layout, file.section('nodeTypes') as Uint8Array);
      file.scan('nodeRecords', (piece, first) => builder.add(piece as Uint32Array, first));
      full.set(builder.finish());
    },
  );
}

/** The strings of an index, each string's bytes read when it is first asked for. */
export class LazyStrings extends StringTable {
  private readonly file: IndexFile;
  private readonly bytesAt: number;
  private readonly stringEnds: Uint32Array | Float64Array;
  private whole = false;

  constructor(file: IndexFile) {
    const bytes = file.view('stringBytes');
    const ends = lazyArray<Uint32Array | Float64Array>(file, 'stringEnds');
    super(
      [Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)],
      [0],
      ends,
      lazyArray<Uint8Array>(file, 'stringFlags'),
    );
    this.file = file;
    this.bytesAt = file.entry('stringBytes').at;
    this.stringEnds = ends;
  }

  private load(i: number): void {
    if (this.whole || !(i >= 0 && i < this.length)) return;
    this.file.ensure(this.bytesAt + this.stringEnds[i], this.bytesAt + this.stringEnds[i + 1]);
  }

  private loadAll(): void {
    if (this.whole) return;
    this.file.section('stringEnds');
    this.file.section('stringFlags');
    this.file.section('stringBytes');
    this.whole = true;
  }

  override get(i: number): string {
    this.load(i);
    return super.get(i);
  }
  override rawBytes(i: number): Buffer {
    this.load(i);
    return super.rawBytes(i);
  }
  override charCodeAt(i: number, k: number): number {
    this.load(i);
    return super.charCodeAt(i, k);
  }
  override equals(i: number, str: string): boolean {
    this.load(i);
    return super.equals(i, str);
  }
  override indexOf(str: string, from = 0): number {
    this.loadAll();
    return super.indexOf(str, from);
  }
  override toArray(): string[] {
    this.loadAll();
    return super.toArray();
  }
}
