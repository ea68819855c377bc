// Runs Chrome DevTools' own heap snapshot worker (built by test/oracle/build.mjs from the chrome-devtools-frontend
// npm package) on a snapshot and compares its numbers with the engine's, object by object.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { nodeName } from '../../src/analysis/index.js';
import type { HeapAnalysis } from '../../src/analysis/types.js';
import type { NodeRow } from '../../src/report/node-row.js';
import { devtoolsOracle } from '../oracle/locate.mjs';
import type { HistogramRow } from './devtools-histogram.js';

/** DevTools describes an object with exactly the fields of our report rows. */
export type OracleNode = NodeRow;
export interface OracleResult {
  nodeCount: number;
  totalSize: number;
  topLevelDominators: OracleNode[];
  sample: OracleNode[];
  /** [id, scriptId, line, column] (0-based) of every closure in DevTools' location map. */
  locations: [number, number, number, number][];
  /** DevTools' Summary view (one row per class), when asked for: the same rows as devtoolsHistogram(file). */
  classes?: HistogramRow[];
}

let told = false;
/**
 * Why the oracle cannot run here (the package could not be fetched: offline), or null when it can. The conformance
 * tests skip with this reason; with HEAPWATCH_REQUIRE_DEVTOOLS_ORACLE=1 (CI) it is an error instead.
 */
export function oracleUnavailable(): string | null {
  const found = devtoolsOracle();
  if (!('unavailable' in found)) return null;
  if (process.env.HEAPWATCH_REQUIRE_DEVTOOLS_ORACLE === '1') throw new Error(found.unavailable);
  if (!told) process.stderr.write(`${found.unavailable}: the conformance tests are skipped\n`);
  told = true;
  return found.unavailable;
}

/** The built oracle script (built on first use, cached outside the repository). */
export function oraclePath(): string {
  const found = devtoolsOracle();
  if ('unavailable' in found) throw new Error(found.unavailable);
  return found.script;
}

/** DevTools on `file`; with `classes`, the same load also answers devtoolsHistogram's question (one parse, not two). */
export function runOracle(file: string, sample = 2000, topN = 50, { classes = false } = {}): OracleResult {
  // the oracle exits right after printing: into a pipe its output can be cut short, into a file it cannot
  const outFile = `${file}.oracle.json`;
  const fd = openSync(outFile, 'w');
  try {
    execFileSync(process.execPath, [oraclePath(), file], {
      stdio: ['ignore', fd, 'pipe'],
      env: {
        ...process.env,
        CDT_SAMPLE: String(sample),
        CDT_TOP_N: String(topN),
        ORACLE_LOCATIONS: '1',
        ORACLE_CLASSES: classes ? '1' : '0',
      },
    });
  } finally {
    closeSync(fd);
  }
  const out = readFileSync(outFile, 'utf8');
  rmSync(outFile);
  return JSON.parse(out) as OracleResult;
}

/** Our view of a node in the oracle's shape. */
export function describe(a: HeapAnalysis, o: number): OracleNode {
  const s = a.snapshot;
  return {
    id: s.nodeId(o),
    name: nodeName(a, o).slice(0, 60),
    type: s.nodeTypeName(o),
    className: a.classNames[a.classOf[o]],
    selfSize: a.selfSizes[o],
    retainedSize: a.retainedSizes[o],
    dominatorId: s.nodeId(a.dominators[o]),
  };
}

/** Every field of every sampled node that differs, as readable lines (empty when all equal). */
export function compareWithOracle(a: HeapAnalysis, oracle: OracleResult): string[] {
  const s = a.snapshot;
  const byId = new Map<number, number>();
  for (let o = 0; o < s.nodeCount; o++) byId.set(s.nodeId(o), o);
  const problems: string[] = [];
  if (oracle.nodeCount !== s.nodeCount) problems.push(`nodeCount ${s.nodeCount} != ${oracle.nodeCount}`);
  if (oracle.totalSize !== a.totalSize) problems.push(`totalSize ${a.totalSize} != ${oracle.totalSize}`);
  for (const want of oracle.sample) {
    const o = byId.get(want.id);
    if (o === undefined) {
      problems.push(`@${want.id} missing`);
      continue;
    }
    const got = describe(a, o);
    for (const k of ['name', 'type', 'className', 'selfSize', 'retainedSize', 'dominatorId'] as const) {
      if (got[k] !== want[k])
        problems.push(`@${want.id} ${k}: ours ${JSON.stringify(got[k])} devtools ${JSON.stringify(want[k])}`);
    }
  }
  const root = s.rootOrdinal;
  const ours = Array.from(a.dominatorTree.childrenOf(root).subarray(0, oracle.topLevelDominators.length));
  const oursIds = ours.map((o) => s.nodeId(o));
  const theirIds = oracle.topLevelDominators.map((d) => d.id);
  if (JSON.stringify(oursIds) !== JSON.stringify(theirIds)) {
    problems.push(`top-level dominators differ:\n ours ${oursIds.join(',')}\n cdt  ${theirIds.join(',')}`);
  }
  return problems;
}
