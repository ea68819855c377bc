/**
 * One waste finding in the manner of Eclipse MAT's component report: what the memory is spent on, how many
 * objects, how many bytes it costs (and which bytes: see `sizeKind`), the rule that found it, and its biggest
 * examples as node ordinals (the report names them and finds their paths).
 */
export interface WasteFinding {
  kind: WasteKind;
  /** One line, e.g. "3,000 empty Map objects". */
  title: string;
  count: number;
  bytes: number;
  /**
   * shallow: the objects' own sizes as DevTools shows them (a backing store owned by one object folded in);
   * retained: what freeing the objects would free; unused: bytes of capacity that hold nothing.
   */
  sizeKind: 'shallow' | 'retained' | 'unused';
  /** How the finding was decided, from what the snapshot holds. */
  rule: string;
  examples: WasteExample[];
}

export interface WasteExample {
  node: number;
  /** The bytes this example costs, of the finding's sizeKind. */
  bytes: number;
  /** What is wasteful about this one, e.g. "capacity 4,005 slots, 10 references". */
  detail: string;
}

export type WasteKind =
  | 'empty-collections'
  | 'oversized-collections'
  | 'one-field-objects'
  | 'repeated-strings'
  | 'unused-context';

/** Examples kept per finding. */
export const WASTE_EXAMPLES = 5;
