import { formatBytes, formatCount } from '../format.js';
import { HTML_STYLE } from '../report/html-assets.js';
import { esc, jsonForScript, PAGE_HELPERS_SCRIPT, pageStart } from '../report/html-common.js';
import { buildModel, type FoldedNode, frameText } from './model.js';
import type { HeapProfile } from './profile.js';
import type { SampleReport } from './report.js';

/** Bounds on the embedded call tree, so a profile of 100,000 frames still gives a page of a few MB at most. */
const FLAME_MAX_NODES = 20_000;
const FLAME_MIN_FRACTION = 1e-4;

/**
 * The call tree as flat rows in breadth-first order: [frame text index, self bytes, total bytes, parent row].
 * Nodes below FLAME_MIN_FRACTION of the total are left out (their bytes stay in their parent's total).
 */
export function flameRows(profile: HeapProfile): { names: string[]; rows: [number, number, number, number][] } {
  const model = buildModel(profile);
  const names = model.frames.map(frameText);
  names.push('(all sampled memory)');
  const rootName = names.length - 1;
  const minBytes = model.root.totalBytes * FLAME_MIN_FRACTION;
  const rows: [number, number, number, number][] = [];
  const queue: [FoldedNode, number][] = [[model.root, -1]];
  for (let i = 0; i < queue.length && rows.length < FLAME_MAX_NODES; i++) {
    const [n, parent] = queue[i];
    const row = rows.length;
    rows.push([n.frame < 0 ? rootName : n.frame, n.selfBytes, n.totalBytes, parent]);
    const kids = n.children.filter((c) => c.totalBytes > 0 && c.totalBytes >= minBytes);
    kids.sort((a, b) => b.totalBytes - a.totalBytes);
    for (const c of kids) queue.push([c, row]);
  }
  return { names, rows };
}

export function renderSampleHtml(report: SampleReport, profile: HeapProfile): string {
  const flame = flameRows(profile);
  const data = { report, names: flame.names, rows: flame.rows };
  const what = report.includeCollected ? 'allocated (live and collected: churn / GC pressure)' : 'still alive';
  const title = `heapwatch sample: ${report.file ?? report.target ?? 'profile'}`;
  return `${pageStart(title, HTML_STYLE + FLAME_STYLE)}
<p id="totals">${esc(formatBytes(report.totalBytes))} ${esc(what)} in ${esc(formatCount(report.totalSamples))} samples${report.intervalBytes === null ? '' : ` · one sample per ~${esc(formatBytes(report.intervalBytes))} allocated`}${report.targetExited ? ' · the target exited during sampling' : ''} · sizes are estimates</p>
<nav><a href="#flame">Flame graph</a> <a href="#bottom-up">Bottom-up</a>${report.growth ? ' <a href="#growth">Growth</a>' : ''}</nav>
</header>
<main>
<section id="flame"><h2>Allocation call tree</h2><p class="hint">Callers above callees; width is bytes. Click a frame to zoom into it, the top bar to zoom out. Node's internals and builtins are folded into the frame that called them.</p>
<div id="crumbs"></div><div id="flame-graph"></div></section>
<section id="bottom-up"><h2>Bottom-up: bytes by allocation site</h2><p class="hint">Click a column to sort. Lines name where the function is defined.</p>
<table class="sortable" id="sites-table"><thead><tr><th data-key="name">function (file:line:column)</th><th class="num" data-key="selfBytes">self</th><th class="num" data-key="percent">%</th><th class="num" data-key="samples">samples</th></tr></thead><tbody></tbody></table></section>
${report.growth ? '<section id="growth"><h2>Growth between profiles</h2><table id="growth-table"><thead><tr><th>function</th><th class="num">growth</th><th class="num">per minute</th><th>per profile</th><th>leak candidate</th></tr></thead><tbody></tbody></table></section>' : ''}
</main>
<script type="application/json" id="heapwatch-data">${jsonForScript(data)}</script>
<script>${FLAME_SCRIPT}</script>
</body>
</html>
`;
}

const FLAME_STYLE = `
#flame-graph{position:relative;width:100%;font:12px ui-monospace,Menlo,Consolas,monospace;overflow:hidden}
#flame-graph div.f{position:absolute;height:17px;line-height:17px;box-sizing:border-box;border:1px solid #fff;padding:0 4px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;cursor:pointer;background:#f2a65a;color:#1d2330}
#flame-graph div.f.user{background:#f6c36b}#flame-graph div.f.root{background:#c7cede}#flame-graph div.f.anc{background:#dde2ea}
#flame-graph div.f:hover{filter:brightness(0.92)}#crumbs{font-size:12px;color:#667085;margin:4px 0}
`;

const FLAME_SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('heapwatch-data').textContent);
  var names = data.names, rows = data.rows, report = data.report;
  var total = rows.length ? rows[0][2] || 1 : 1;
${PAGE_HELPERS_SCRIPT}  var kids = rows.map(function () { return []; });
  for (var i = 1; i < rows.length; i++) kids[rows[i][3]].push(i);

  // --- icicle: the focused frame spans the width, its ancestors above it, its callees below ---
  var graph = document.getElementById('flame-graph');
  var crumbs = document.getElementById('crumbs');
  var H = 18;
  function draw(focus) {
    graph.textContent = '';
    var chain = [];
    for (var a = focus; a >= 0; a = rows[a][3]) chain.unshift(a);
    chain.forEach(function (r, d) { box(r, d, 0, 100, r === focus ? '' : ' anc'); });
    var depth = chain.length - 1, maxDepth = depth;
    var ft = rows[focus][2] || 1;
    function lay(r, d, left) {
      var x = left;
      kids[r].forEach(function (c) {
        var w = 100 * rows[c][2] / ft;
        if (w >= 0.15) { box(c, d, x, w, ''); if (d > maxDepth) maxDepth = d; lay(c, d + 1, x); }
        x += w;
      });
    }
    lay(focus, depth + 1, 0);
    graph.style.height = ((maxDepth + 1) * H + 2) + 'px';
    crumbs.textContent = 'Showing ' + names[rows[focus][0]] + ': ' + bytes(rows[focus][2]) + ' (' + (100 * rows[focus][2] / total).toFixed(1) + '% of all)';
  }
  function box(r, d, left, width, extra) {
    var name = names[rows[r][0]];
    var cls = 'f' + (r === 0 ? ' root' : /\\(builtin\\)$|\\(node:|^\\(/.test(name) ? '' : ' user') + extra;
    var b = el('div', { class: cls, 'data-row': String(r), title: name + '\\ntotal ' + bytes(rows[r][2]) + ' (' + (100 * rows[r][2] / total).toFixed(1) + '%), self ' + bytes(rows[r][1]) }, name);
    b.style.left = left + '%'; b.style.width = width + '%'; b.style.top = (d * H) + 'px';
    b.addEventListener('click', function () { draw(r); });
    graph.appendChild(b);
  }
  if (rows.length) draw(0);

  // --- bottom-up table ---
  function where(s) {
    if (s.url === null) return s.function.charAt(0) === '(' ? s.function : s.function + ' (builtin)';
    var file = s.url.indexOf('file://') === 0 ? decodeURIComponent(s.url.slice(7)) : s.url;
    return s.function + ' (' + file + (s.line === null ? '' : ':' + s.line + ':' + s.column) + ')';
  }
  var sites = report.sites.map(function (s) { return { name: where(s), selfBytes: s.selfBytes, percent: s.percent, samples: s.samples }; });
  var table = document.getElementById('sites-table');
  var tbody = table.querySelector('tbody');
  function render() {
    tbody.textContent = '';
    sites.forEach(function (s) {
      var tr = el('tr');
      tr.appendChild(td(s.name)); tr.appendChild(td(bytes(s.selfBytes), 'num'));
      tr.appendChild(td(s.percent.toFixed(1) + '%', 'num')); tr.appendChild(td(String(s.samples), 'num'));
      tbody.appendChild(tr);
    });
  }
  sortableTable(table, sites, 'selfBytes', 'name', render);

  // --- growth ---
  if (report.growth) {
    var gbody = document.querySelector('#growth-table tbody');
    report.growth.sites.forEach(function (s) {
      var tr = el('tr');
      tr.appendChild(td(where(s))); tr.appendChild(td('+' + bytes(s.growthBytes), 'num'));
      tr.appendChild(td('+' + bytes(s.bytesPerMinute), 'num'));
      tr.appendChild(td(s.steps.map(bytes).join(' → ')));
      tr.appendChild(td(s.leakCandidate ? 'yes: grew at every step' : ''));
      gbody.appendChild(tr);
    });
  }
})();
`;
