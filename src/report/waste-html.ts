import { formatBytes, formatCount } from '../format.js';
import { esc } from './html-common.js';
import type { WasteJson } from './waste-report.js';

/** The HTML report's waste section (static markup: the findings are few and bounded). */
export function wasteHtml(waste: WasteJson | undefined): string {
  if (!waste) return '';
  const body =
    waste.findings.length === 0
      ? '<p>None found.</p>'
      : waste.findings
          .map((f) => {
            const rows = f.examples
              .map(
                (x) =>
                  `<tr><td class="num">${formatBytes(x.bytes)}</td><td>${esc(`${x.className} @${x.id}`)}</td><td>${esc(x.detail)}</td><td class="path">${esc(x.pathText)}</td></tr>`,
              )
              .join('');
            return `<div class="waste-finding"><h3>${esc(f.title)}: ${formatBytes(f.bytes)} ${f.sizeKind}</h3><p class="hint">${esc(f.rule)}</p><table><thead><tr><th class="num">${f.sizeKind}</th><th>object</th><th>why</th><th>path</th></tr></thead><tbody>${rows}</tbody></table></div>`;
          })
          .join('');
  return `<section id="waste"><h2>Waste</h2><p class="hint">Memory spent on nothing, in the manner of Eclipse MAT's component report (${formatCount(waste.findings.length)} findings).</p>${body}</section>`;
}
