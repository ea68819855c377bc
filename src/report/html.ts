import { classHistogram } from '../analysis/histogram.js';
import { nodeName } from '../analysis/index.js';
import { functionLocation, locationText } from '../analysis/source-locations.js';
import type { HeapAnalysis } from '../analysis/types.js';
import { formatBytes, formatCount } from '../format.js';
import type { AnalysisReport } from './analysis-report.js';
import { HTML_SCRIPT, HTML_STYLE } from './html-assets.js';
import { esc, jsonForScript, pageStart } from './html-common.js';
import type { LeakFindings } from './leak-findings.js';
import { wasteHtml } from './waste-html.js';
import type { WasteJson } from './waste-report.js';

/** Bounds on the embedded dominator tree, so a 600 MB snapshot's report stays a few MB. */
const TREE_MAX_NODES = 25_000;
const TREE_MAX_CHILDREN = 100;
const TREE_MIN_FRACTION = 1e-5;
const HISTOGRAM_ROWS = 500;
const CHART_BARS = 15;
const NAME_LENGTH = 80;

/**
 * The dominator tree's top as flat rows: [id, name, className, selfSize, retainedSize, firstChild, childCount,
 * moreCount, moreSize, where a function is defined (` (file:line:col)` or '')]. Children of a row are the rows firstChild … firstChild+childCount-1; `more` counts
 * the children left out (too small or over the bounds). The page builds DOM rows only when one is expanded.
 */
export type TreeRow = [number, string, string, number, number, number, number, number, number, string];

export function dominatorTreeRows(a: HeapAnalysis): TreeRow[] {
  const s = a.snapshot;
  const tree = a.dominatorTree;
  const minSize = a.totalSize * TREE_MIN_FRACTION;
  const rows: TreeRow[] = [];
  const nodeOf: number[] = [];
  const add = (o: number): void => {
    nodeOf.push(o);
    rows.push([
      s.nodeId(o),
      clip(o === s.rootOrdinal ? '(root)' : nodeName(a, o)),
      a.classNames[a.classOf[o]],
      a.selfSizes[o],
      a.retainedSizes[o],
      0,
      0,
      0,
      0,
      locationSuffix(a, o),
    ]);
  };
  add(s.rootOrdinal);
  for (let i = 0; i < rows.length; i++) {
    const o = nodeOf[i];
    const row = rows[i];
    row[5] = rows.length;
    let taken = 0;
    for (const c of tree.childrenOf(o)) {
      if (taken < TREE_MAX_CHILDREN && rows.length < TREE_MAX_NODES && a.retainedSizes[c] >= minSize) {
        add(c);
        taken++;
      } else {
        row[7]++;
        row[8] += a.retainedSizes[c];
      }
    }
    row[6] = taken;
  }
  return rows;
}

export function renderHtmlReport(report: AnalysisReport & Partial<LeakFindings>, a: HeapAnalysis): string {
  const data = {
    snapshot: report.snapshot,
    tree: dominatorTreeRows(a),
    histogram: classHistogram(a, 'retained').slice(0, HISTOGRAM_ROWS),
    suspects: report.suspects ?? [],
    duplicateStrings: report.duplicateStrings ?? [],
  };
  const title = `heapwatch report: ${basename(report.snapshot.path)}`;
  return `${pageStart(title, HTML_STYLE)}
<p id="totals">${esc(report.snapshot.path)} · ${formatCount(report.snapshot.nodeCount)} nodes · ${formatCount(report.snapshot.edgeCount)} edges · total ${formatBytes(report.snapshot.totalSize)}</p>
<nav><a href="#overview">Overview</a> <a href="#suspects">Leak suspects</a> <a href="#tree">Dominator tree</a> <a href="#histogram">Classes</a> <a href="#strings">Duplicate strings</a> <a href="#waste">Waste</a></nav>
</header>
<main>
<section id="overview"><h2>Retained size by class</h2>${classChart(report)}</section>
<section id="suspects"><h2>Leak suspects</h2><div id="suspect-list"></div></section>
<section id="tree"><h2>Dominator tree</h2><p class="hint">Click a row to open it. Children are the objects it alone keeps alive, biggest first.</p>
<table class="tree"><thead><tr><th>object</th><th class="num">self</th><th class="num">retained</th><th class="num">%</th></tr></thead><tbody id="tree-body"></tbody></table></section>
<section id="histogram"><h2>Classes</h2><p class="hint">The biggest by retained size; click a column to sort.</p>
<table class="sortable" id="histogram-table"><thead><tr><th data-key="className">class</th><th class="num" data-key="count">count</th><th class="num" data-key="shallowSize">shallow</th><th class="num" data-key="retainedSize">retained</th></tr></thead><tbody></tbody></table><button type="button" id="histogram-more" hidden></button></section>
<section id="strings"><h2>Duplicate strings</h2><table id="strings-table"><thead><tr><th class="num">wasted</th><th class="num">count</th><th class="num">each</th><th>value</th></tr></thead><tbody></tbody></table></section>
${wasteHtml((report as { waste?: WasteJson }).waste)}
</main>
<script type="application/json" id="heapwatch-data">${jsonForScript(data)}</script>
<script>${HTML_SCRIPT}</script>
</body>
</html>
`;
}

/** A horizontal bar chart (inline SVG) of the biggest classes by retained size. */
function classChart(report: AnalysisReport): string {
  const rows = report.histogram.slice(0, CHART_BARS);
  if (rows.length === 0) return '<p>No classes.</p>';
  const max = Math.max(...rows.map((r) => r.retainedSize), 1);
  const barH = 22;
  const labelW = 260;
  const width = 860;
  const bars = rows
    .map((r, i) => {
      const w = Math.max(1, Math.round(((width - labelW - 120) * r.retainedSize) / max));
      const y = i * barH;
      return `<g class="bar"><text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${esc(clip(r.className, 36))}</text><rect x="${labelW}" y="${y + 3}" width="${w}" height="${barH - 6}"><title>${esc(r.className)}: ${formatBytes(r.retainedSize)}</title></rect><text x="${labelW + w + 6}" y="${y + 15}" class="size">${formatBytes(r.retainedSize)}</text></g>`;
    })
    .join('');
  return `<svg id="class-chart" role="img" aria-label="Retained size by class" width="${width}" height="${rows.length * barH + 4}" viewBox="0 0 ${width} ${rows.length * barH + 4}">${bars}</svg>`;
}

/** ` (listeners.cjs:12:58)` for a function the snapshot locates, else ''. */
function locationSuffix(a: HeapAnalysis, o: number): string {
  const l = functionLocation(a.snapshot, o);
  return l ? ` (${locationText(l)})` : '';
}

function clip(text: string, max = NAME_LENGTH): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}
