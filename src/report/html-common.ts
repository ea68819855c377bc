// What every self-contained HTML page of heapwatch shares: escaping on the server side, and the page-side helpers
// (sizes, elements, a table sorted by clicking its column headers) pasted into each page's own script.

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that cannot end the <script> element it sits in. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A page's start up to its <h1>: no network (the CSP allows only inline style, inline script, data: images). */
export function pageStart(title: string, style: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${style}</style>
</head>
<body>
<header><h1>${esc(title)}</h1>`;
}

/**
 * Page-side helpers, inside a page script's function: bytes(n), el(tag, attrs, text), td(text, cls), and
 * sortableTable(table, rows, key, textKey, render): sorts `rows` in place when a header (`data-key`) is clicked
 * (a new column biggest first, `textKey` A→Z; the same column again flips), marks the header, calls render().
 */
export const PAGE_HELPERS_SCRIPT = `
  function bytes(n) {
    var a = Math.abs(n);
    if (a < 1024) return n + ' B';
    if (a < 1048576) return (n / 1024).toFixed(1) + ' KB';
    if (a < 1073741824) return (n / 1048576).toFixed(1) + ' MB';
    return (n / 1073741824).toFixed(1) + ' GB';
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function td(text, cls) { return el('td', cls ? { class: cls } : null, text); }
  function sortableTable(table, rows, key, textKey, render) {
    var dir = -1;
    function mark() {
      table.querySelectorAll('th').forEach(function (th) {
        th.className = th.className.replace(/ ?sorted-(asc|desc)/, '');
        if (th.getAttribute('data-key') === key) th.className += ' sorted-' + (dir < 0 ? 'desc' : 'asc');
      });
    }
    table.querySelectorAll('th').forEach(function (th) {
      th.addEventListener('click', function () {
        var k = th.getAttribute('data-key');
        dir = k === key ? -dir : (k === textKey ? 1 : -1);
        key = k;
        rows.sort(function (x, y) { var a = x[k], b = y[k]; return (a < b ? -1 : a > b ? 1 : 0) * dir; });
        render();
        mark();
      });
    });
    render();
    mark();
  }
`;
