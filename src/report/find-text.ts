import { formatBytes, formatCount, padLeft } from '../format.js';
import type { FindReport } from './find-report.js';
import { describeNode } from './node-row.js';
import { edgeLabel } from './nodes-text.js';

/** `heapwatch find`'s text: what matched in the whole heap, then the biggest matches, one a line. */
export function renderFindText(r: FindReport): string {
  const lines: string[] = [];
  if ('className' in r.query) {
    const row = r.classes?.[0];
    lines.push(
      row
        ? `${formatCount(r.matched)} objects of class ${r.query.className}: shallow ${formatBytes(row.shallowSize)}, retained ${formatBytes(row.retainedSize)}`
        : `no objects of class ${r.query.className} (class names are exact, as \`histo\` shows them)`,
    );
  } else {
    lines.push(
      r.matched === 0
        ? `no property or variable named ${r.query.name}`
        : `${formatCount(r.matched)} ${r.matched === 1 ? 'reference' : 'references'} named ${r.query.name} (properties and variables)`,
    );
  }
  if (r.objects.length > 0) {
    const shown = r.objects.length < r.matched ? `the ${r.objects.length} biggest ` : '';
    lines.push(`${shown}by retained size:`, `${padLeft('retained', 10)} ${padLeft('self', 10)}  object`);
    for (const o of r.objects) {
      const held = o.holder ? `  ← ${describeNode(o.holder)} ${edgeLabel(o.holder.edgeType, o.holder.edge)}` : '';
      lines.push(
        `${padLeft(formatBytes(o.retainedSize), 10)} ${padLeft(formatBytes(o.selfSize), 10)}  ${describeNode(o)}${held}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
