/**
 * What is wrong with a snapshot file and where: a plain value so it can cross from the parse worker.
 * `count` problems (a number array longer or shorter than the meta says) carry the offset where they were
 * noticed; the reader finds the honest offset (the first surplus number, or the early `]`) by a rescan.
 */
export interface FormatProblem {
  what: string;
  offset: number;
  kind: 'syntax' | 'count';
}

export class SnapshotFormatError extends Error {
  constructor(
    readonly what: string,
    readonly offset: number,
    readonly kind: 'syntax' | 'count' = 'syntax',
  ) {
    super(`${what} at byte ${offset}`);
  }

  toProblem(): FormatProblem {
    return { what: this.what, offset: this.offset, kind: this.kind };
  }
}
