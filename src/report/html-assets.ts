// The HTML report's inline style and script (no network: everything the page needs is in the file).

import { PAGE_HELPERS_SCRIPT } from './html-common.js';

export const HTML_STYLE = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2330;background:#fafbfc}
header{background:#1d2330;color:#fff;padding:12px 24px}header h1{font-size:18px;margin:0 0 4px}
header p{margin:0 0 6px;color:#c7cede}nav a{color:#9cc3ff;margin-right:14px;text-decoration:none}
main{padding:8px 24px 40px;max-width:1200px}section{margin-top:22px}h2{font-size:16px;border-bottom:1px solid #d8dde6;padding-bottom:4px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{padding:3px 8px;text-align:left;border-bottom:1px solid #eef0f4;vertical-align:top}
th{background:#eef1f6;font-weight:600}.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.sortable th{cursor:pointer;user-select:none}th.sorted-desc::after{content:" ▼"}th.sorted-asc::after{content:" ▲"}
.hint{color:#667085;font-size:12px;margin:2px 0 6px}
#class-chart rect{fill:#4f7fd9}#class-chart text{font-size:12px;fill:#1d2330}#class-chart text.size{fill:#667085}
.suspect{background:#fff;border:1px solid #e1e5ec;border-left:4px solid #d9534f;padding:8px 12px;margin:10px 0}
.suspect h3{margin:0 0 4px;font-size:14px}.suspect p{margin:3px 0}
.path{display:flex;flex-wrap:wrap;align-items:center;row-gap:4px;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;line-height:1.8}
.path span.step{background:#eef1f6;border-radius:3px;padding:1px 5px;white-space:nowrap}.path span.arrow{color:#98a2b3;margin:0 3px}
tr.tree-row td:first-child{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:720px}
#histogram-table td:first-child{overflow-wrap:anywhere}#histogram-more{margin-top:6px;font:inherit;cursor:pointer}
@media (max-width:640px){main{padding:8px 8px 40px}header{padding:10px 8px}th,td{padding:3px 4px}}
tr.tree-row{cursor:pointer}tr.tree-row:hover{background:#f3f6fb}.toggle{display:inline-block;width:14px;color:#667085}
.cls,.loc{color:#667085}.id{color:#98a2b3;font-size:11px}.more td{color:#667085;font-style:italic;cursor:default}
`;

export const HTML_SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('heapwatch-data').textContent);
  var total = data.snapshot.totalSize || 1;
${PAGE_HELPERS_SCRIPT}  function count(n) { return Math.round(n).toLocaleString('en-US'); }
  function pct(n) { return (100 * n / total).toFixed(1) + '%'; }
  // a function's definition as the text report names it: file name (not its folder), 1-based line and column
  function where(l) { var u = l.url || ''; return (u.slice(u.lastIndexOf('/') + 1) || '<script>') + ':' + l.line + ':' + l.column; }

  // --- suspects ---
  var list = document.getElementById('suspect-list');
  if (data.suspects.length === 0) list.appendChild(el('p', null, 'No object or class below the roots retains more than 10% of the heap.'));
  data.suspects.forEach(function (x, i) {
    var box = el('div', { class: 'suspect', 'data-kind': x.kind });
    var head = x.headline || (x.kind === 'object'
      ? x.className + ' @' + x.id + ' retains ' + bytes(x.retainedSize) + ' (' + x.percent.toFixed(1) + '% of the heap)'
      : count(x.count) + ' instances of ' + x.className + ' retain ' + bytes(x.retainedSize) + ' (' + x.percent.toFixed(1) + '% of the heap)');
    box.appendChild(el('h3', null, (i + 1) + '. ' + head));
    var held = x.holds.map(function (h) { return count(h.count) + ' × ' + h.className + ' ' + bytes(h.retainedSize); }).join(', ');
    var what = x.chain
      ? 'A linked chain of ' + count(x.chain.links) + ' × ' + x.chain.className + ' (head @' + x.accumulationPoint.id + ')' + (held ? '; the links hold ' + held : '')
      : x.kind === 'object'
        ? 'Accumulates in ' + x.accumulationPoint.className + ' @' + x.accumulationPoint.id + ' (' + bytes(x.accumulationPoint.retainedSize) + ')' + (held ? ': ' + held : '')
        : 'Held together by ' + x.accumulationPoint.className + ' @' + x.accumulationPoint.id + ': ' + Math.round(100 * x.pathShare) + '% of sampled instances share the path up to ' + (x.path.length ? x.path[x.path.length - 1].edge : 'the root') + '; the path of one of them:';
    box.appendChild(el('p', { class: 'what' }, what));
    var path = el('p', { class: 'path' });
    var tokens = (x.kind === 'class' ? x.samplePathText : x.pathText).split(' → ');
    if (x.kind === 'class' && tokens[tokens.length - 1] !== x.className) tokens.push(x.className);
    tokens.forEach(function (t, k) {
      if (k > 0) path.appendChild(el('span', { class: 'arrow' }, '→'));
      path.appendChild(el('span', { class: 'step' }, t));
    });
    box.appendChild(path);
    var defined = x.path.filter(function (st) { return st.location; }).map(function (st) {
      return st.function + '() (' + where(st.location) + ')';
    });
    if (defined.length) box.appendChild(el('p', { class: 'defined' }, 'defined at: ' + defined.join(', ')));
    list.appendChild(box);
  });

  // --- dominator tree: DOM rows are made only when a row is opened ---
  var tree = data.tree;
  var body = document.getElementById('tree-body');
  function treeRow(i, depth) {
    var r = tree[i];
    var hasKids = r[6] > 0 || r[7] > 0;
    var tr = el('tr', { class: 'tree-row', 'data-index': String(i), 'data-id': String(r[0]), 'data-depth': String(depth), 'aria-expanded': 'false' });
    var first = el('td');
    first.style.paddingLeft = (8 + depth * 16) + 'px';
    first.appendChild(el('span', { class: 'toggle' }, hasKids ? '▸' : ''));
    first.appendChild(el('span', { class: 'name' }, r[1]));
    if (r[2] !== r[1]) first.appendChild(el('span', { class: 'cls' }, ' ' + r[2]));
    if (r[9]) first.appendChild(el('span', { class: 'loc' }, r[9]));
    first.appendChild(el('span', { class: 'id' }, ' @' + r[0]));
    tr.appendChild(first);
    tr.appendChild(td(bytes(r[3]), 'num'));
    tr.appendChild(td(bytes(r[4]), 'num'));
    tr.appendChild(td(pct(r[4]), 'num'));
    if (hasKids) tr.addEventListener('click', function () { toggle(tr); });
    return tr;
  }
  function toggle(tr) {
    var i = Number(tr.getAttribute('data-index'));
    var depth = Number(tr.getAttribute('data-depth'));
    var open = tr.getAttribute('aria-expanded') === 'true';
    if (open) {
      var next = tr.nextSibling;
      while (next && Number(next.getAttribute('data-depth')) > depth) { var gone = next; next = next.nextSibling; body.removeChild(gone); }
      tr.setAttribute('aria-expanded', 'false');
      tr.querySelector('.toggle').textContent = '▸';
      return;
    }
    var r = tree[i];
    var after = tr.nextSibling;
    for (var k = 0; k < r[6]; k++) body.insertBefore(treeRow(r[5] + k, depth + 1), after);
    if (r[7] > 0) {
      var more = el('tr', { class: 'more', 'data-depth': String(depth + 1) });
      var cell = td('… ' + count(r[7]) + ' more, ' + bytes(r[8]) + ' together');
      cell.style.paddingLeft = (8 + (depth + 1) * 16 + 14) + 'px';
      more.appendChild(cell);
      more.appendChild(td('', 'num')); more.appendChild(td(bytes(r[8]), 'num')); more.appendChild(td(pct(r[8]), 'num'));
      body.insertBefore(more, after);
    }
    tr.setAttribute('aria-expanded', 'true');
    tr.querySelector('.toggle').textContent = '▾';
  }
  body.appendChild(treeRow(0, 0));
  // opened at the root, as the text report starts: its children are the first thing to read
  if (tree[0][6] > 0 || tree[0][7] > 0) toggle(body.firstChild);

  // --- class histogram, sortable by any column ---
  var hist = data.histogram.slice();
  var htable = document.getElementById('histogram-table');
  var hbody = htable.querySelector('tbody');
  // the top rows in the current order; a button shows the rest (a heap has hundreds of classes)
  var TOP_CLASSES = 25, showAll = false;
  var moreButton = document.getElementById('histogram-more');
  moreButton.addEventListener('click', function () { showAll = !showAll; renderHistogram(); });
  function renderHistogram() {
    hbody.textContent = '';
    var shown = showAll ? hist : hist.slice(0, TOP_CLASSES);
    moreButton.hidden = hist.length <= TOP_CLASSES;
    moreButton.textContent = showAll ? 'Show the top ' + TOP_CLASSES + ' only' : 'Show all ' + count(hist.length) + ' classes';
    shown.forEach(function (r) {
      var tr = el('tr');
      var name = td(r.className);
      if (r.location) name.appendChild(el('span', { class: 'loc' }, ' (' + where(r.location) + ')'));
      tr.appendChild(name);
      tr.appendChild(td(count(r.count), 'num'));
      tr.appendChild(td(bytes(r.shallowSize), 'num'));
      tr.appendChild(td(bytes(r.retainedSize), 'num'));
      hbody.appendChild(tr);
    });
  }
  // a new column sorts biggest first (names A→Z); the same column again flips the order
  sortableTable(htable, hist, 'retainedSize', 'className', renderHistogram);

  // --- duplicate strings ---
  var sbody = document.querySelector('#strings-table tbody');
  if (data.duplicateStrings.length === 0) { var none = el('tr'); none.appendChild(td('none')); sbody.appendChild(none); }
  data.duplicateStrings.forEach(function (r) {
    var tr = el('tr');
    tr.appendChild(td(bytes(r.wastedSize), 'num'));
    tr.appendChild(td(count(r.count), 'num'));
    tr.appendChild(td(bytes(r.selfSize), 'num'));
    tr.appendChild(td(JSON.stringify(r.value.length > 120 ? r.value.slice(0, 119) + '…' : r.value)));
    sbody.appendChild(tr);
  });
})();
`;
