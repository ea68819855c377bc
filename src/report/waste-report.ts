import { nodeName } from '../analysis/index.js';
import { computeRootPaths, type RootPaths, rootPath } from '../analysis/paths.js';
import type { EarlyAnalysis, HeapAnalysis } from '../analysis/types.js';
import { backgroundContextScan, type ContextScanRequest } from '../analysis/waste/context-scan.js';
import { findWaste, prepareWaste, type WasteFinding, type WastePrework } from '../analysis/waste/index.js';
import { contextNameTable, unusedContextVariables } from '../analysis/waste/unused-context.js';
import type { AnalysisReport } from './analysis-report.js';
import type { TextSection } from './analysis-text.js';
import { pathJson } from './leak-findings.js';
import { clip } from './node-row.js';
import { wasteText } from './waste-text.js';

/** `waste` in analyze's JSON: MAT-style findings of memory spent on nothing, each with its biggest examples. */
export interface WasteJson {
  findings: WasteFindingJson[];
  /** Milliseconds each waste analysis took on this snapshot. */
}

export interface WasteFindingJson extends Omit<WasteFinding, 'examples'> {
  examples: WasteExampleJson[];
}

export interface WasteExampleJson {
  id: number;
  className: string;
  name: string;
  /** Bytes of the finding's sizeKind this example costs. */
  bytes: number;
  detail: string;
  /** From the GC roots to the example, named as `heapwatch path` names it ('' when no strong path reaches it). */
  pathText: string;
}

/**
 * Runs the waste analyses (unless their findings are given), names their examples' paths, and adds `waste` to
 * analyze's report.
 */
export async function addWaste(
  report: AnalysisReport,
  a: HeapAnalysis,
  found: WasteFinding[] = wasteFindings(a),
): Promise<WasteJson> {
  const last = laterFindings.get(found);
  const findings = last ? [...found, ...(await last())] : found;
  const targets = findings.flatMap((f) => f.examples.map((x) => x.node));
  const rp: RootPaths =
    (await a.backgroundRootPaths()) ??
    (targets.length > 0 ? computeRootPaths(a.snapshot, { holderPaths: true, targets }) : emptyPaths());
  const waste: WasteJson = { findings: findings.map((f) => findingJson(a, rp, f)) };
  Object.assign(report, { waste });
  return waste;
}

/**
 * The waste analyses' findings (no paths yet: analyze runs them while the worker thread still searches the
 * holder paths the examples are named by).
 */
export function wasteFindings(a: HeapAnalysis, pre?: WastePrework): WasteFinding[] {
  // the unused-context check's scan when the worker thread makes it: that check's findings come last, in addWaste
  const scan = pre ? backgroundContextScan(a, pre.cands.closures) : null;
  // (its timings are for the bench: a report holds no clock readings)
  const { findings } = findWaste(a, pre, { withoutContexts: scan !== null });
  if (pre && scan) {
    laterFindings.set(findings, async () => unusedContextVariables(a, pre.cands, (await scan) ?? undefined));
  }
  return findings;
}

/** The findings of the checks wasteFindings left for later, by the list they come after. */
const laterFindings = new WeakMap<WasteFinding[], () => Promise<WasteFinding[]>>();

/** What analyze's worker thread is sent for the unused-context check's scan (see context-scan.ts). */
export function contextScanRequest(a: EarlyAnalysis, pre: WastePrework): ContextScanRequest {
  return { closures: pre.cands.closures, names: contextNameTable(a.snapshot) };
}

/** The waste analyses' first steps, which need no dominators (analyze takes them while its thread would wait). */
export function prepareWasteFindings(a: EarlyAnalysis): WastePrework {
  return prepareWaste(a);
}

/** analyze's text with the waste section after the others. */
export function withWasteSection(sections: TextSection[], waste: WasteJson): TextSection[] {
  return [...sections, (r) => wasteText(waste, r.snapshot.totalSize)];
}

function findingJson(a: HeapAnalysis, rp: RootPaths, f: WasteFinding): WasteFindingJson {
  const s = a.snapshot;
  return {
    ...f,
    examples: f.examples.map((x) => ({
      id: s.nodeId(x.node),
      className: a.classNames[a.classOf[x.node]],
      name: clip(nodeName(a, x.node), 80),
      bytes: x.bytes,
      detail: x.detail,
      pathText: pathJson(a, rootPath(s, rp, x.node)).pathText,
    })),
  };
}

function emptyPaths(): RootPaths {
  return { dist: new Uint32Array(0), parentEdge: new Uint32Array(0) };
}
