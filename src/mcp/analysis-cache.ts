import { statSync } from 'node:fs';
import type { RootPaths } from '../analysis/paths.js';
import type { StringCopies } from '../analysis/strings.js';
import type { HeapAnalysis } from '../analysis/types.js';
import type { IndexedLoad } from '../index/load-indexed.js';
import type { SuspectJson } from '../report/leak-findings.js';
import { estimateBytes } from './memory-size.js';

/** Overall progress of a load (0…1) with the current step's name. */
export type LoadProgress = (fraction: number, step: string) => void;

/**
 * Loads one file's analysis: from the saved index, or read and analyzed (analyzeFile with the holder paths on a
 * second thread, where there is one).
 */
export type AnalysisLoader = (file: string, onProgress?: LoadProgress) => Promise<IndexedLoad>;

/** One loaded analysis and what follow-up questions reuse: the holder paths, the string counts, the suspects. */
export class LoadedAnalysis {
  private rootPathsDone: RootPaths | undefined;
  private rootPathsPending: Promise<RootPaths> | undefined;
  private copiesPending: Promise<StringCopies | undefined> | undefined;
  private suspectsDone: SuspectJson[] | undefined;
  /** Estimated bytes held (typed arrays and strings), updated as memoised results are added. */
  bytes: number;
  lastUsed = 0;

  constructor(
    readonly file: string,
    readonly key: string,
    readonly analysis: HeapAnalysis,
    /** 1 for the first load of this file by this server, 2 after it was dropped and loaded again, … */
    readonly loadNumber: number,
    /** Where the load came from: the saved index, or the snapshot analyzed. */
    readonly source: IndexedLoad['source'],
  ) {
    this.bytes = estimateBytes(analysis);
  }

  /** The holder paths from the roots (as `path` and the suspects use them), computed once. */
  async rootPaths(): Promise<RootPaths> {
    this.rootPathsPending ??= (async () => {
      const background = await this.analysis.backgroundRootPaths();
      const { computeRootPaths } = await import('../analysis/paths.js');
      const rp = background ?? computeRootPaths(this.analysis.snapshot, { holderPaths: true });
      this.rootPathsDone = rp;
      this.remeasure();
      return rp;
    })();
    return this.rootPathsPending;
  }

  /** The string objects counted per value (duplicate strings), computed once. */
  async stringCopies(): Promise<StringCopies | undefined> {
    this.copiesPending ??= (async () => {
      const background = await this.analysis.backgroundStringCopies();
      const { countStringCopies } = await import('../analysis/strings.js');
      return background ?? countStringCopies(this.analysis.snapshot);
    })();
    return this.copiesPending;
  }

  /** analyze's leak suspects (they do not depend on the number of rows asked for), computed once. */
  async suspects(): Promise<SuspectJson[]> {
    if (!this.suspectsDone) {
      const rp = await this.rootPaths();
      const { suspectsJson } = await import('../report/leak-findings.js');
      this.suspectsDone = suspectsJson(this.analysis, rp);
    }
    return this.suspectsDone;
  }

  private remeasure(): void {
    this.bytes = estimateBytes({ a: this.analysis, p: this.rootPathsDone });
  }
}

export interface CacheAnswer {
  entry: LoadedAnalysis;
  /** hit: answered from memory; loaded: read and analyzed for this call. */
  cache: 'hit' | 'loaded';
}

export interface CacheStats {
  budget: number;
  bytes: number;
  entries: { file: string; bytes: number; loadNumber: number }[];
  /** Files read and analyzed since the server started. */
  loads: number;
}

/**
 * The analyses the server has loaded, kept within a memory budget, least recently used dropped first. An entry is
 * keyed by the file's real path, size, mtime and inode, so a replaced or rewritten file is loaded afresh. An
 * analysis bigger than the whole budget answers the call that loaded it and is not kept.
 */
export class AnalysisCache {
  private readonly entries = new Map<string, LoadedAnalysis>();
  private readonly pending = new Map<string, Promise<LoadedAnalysis>>();
  private readonly loadsPerFile = new Map<string, number>();
  private loads = 0;
  private clock = 0;

  constructor(
    readonly budget: number,
    private readonly load: AnalysisLoader,
  ) {}

  /** `file` is a real path the caller has already checked (AllowedFolders.inputFile). */
  async get(file: string, onProgress?: LoadProgress): Promise<CacheAnswer> {
    const st = statSync(file);
    const key = `${file}\0${st.size}\0${st.mtimeMs}\0${st.ino}`;
    const cached = this.entries.get(key);
    if (cached) {
      cached.lastUsed = ++this.clock;
      return { entry: cached, cache: 'hit' };
    }
    const loading = this.pending.get(key);
    if (loading) return { entry: await loading, cache: 'hit' };
    const promise = this.loadEntry(file, key, onProgress);
    this.pending.set(key, promise);
    try {
      return { entry: await promise, cache: 'loaded' };
    } finally {
      this.pending.delete(key);
    }
  }

  stats(): CacheStats {
    return {
      budget: this.budget,
      bytes: this.usedBytes(),
      entries: [...this.entries.values()].map((e) => ({ file: e.file, bytes: e.bytes, loadNumber: e.loadNumber })),
      loads: this.loads,
    };
  }

  private async loadEntry(file: string, key: string, onProgress?: LoadProgress): Promise<LoadedAnalysis> {
    for (const [k, e] of this.entries) if (e.file === file) this.entries.delete(k); // the file changed
    const { analysis, source } = await this.load(file, onProgress);
    this.loads++;
    const n = (this.loadsPerFile.get(file) ?? 0) + 1;
    this.loadsPerFile.set(file, n);
    const entry = new LoadedAnalysis(file, key, analysis, n, source);
    entry.lastUsed = ++this.clock;
    if (entry.bytes <= this.budget) {
      this.entries.set(key, entry);
      this.evict();
    }
    return entry;
  }

  /** Drops the least recently used entries until the rest fit (entries grow as their paths are computed). */
  evict(): void {
    while (this.usedBytes() > this.budget && this.entries.size > 0) {
      let oldest: LoadedAnalysis | undefined;
      for (const e of this.entries.values()) if (!oldest || e.lastUsed < oldest.lastUsed) oldest = e;
      if (!oldest) break;
      this.entries.delete(oldest.key);
    }
  }

  private usedBytes(): number {
    let total = 0;
    for (const e of this.entries.values()) total += e.bytes;
    return total;
  }
}
