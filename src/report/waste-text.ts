import { formatBytes, formatPercent, padLeft } from '../format.js';
import type { WasteJson } from './waste-report.js';

const TEXT_EXAMPLES = 2;
const SIZE_WORDS = { shallow: 'shallow', retained: 'retained', unused: 'unused' } as const;

/** analyze's waste section: each finding with its bytes (and which bytes), then its biggest examples and paths. */
export function wasteText(waste: WasteJson, totalSize: number): string {
  if (waste.findings.length === 0) {
    return `Waste: none found (empty or oversized collections, one-field objects, repeated strings, unused closure variables)`;
  }
  const lines = [`Waste (memory spent on nothing, in MAT's manner; sizes say which bytes: see --json "rule")`];
  for (const f of waste.findings) {
    const share = totalSize > 0 ? ` ${formatPercent(f.bytes / totalSize)}` : '';
    lines.push(`  ${padLeft(formatBytes(f.bytes), 10)} ${SIZE_WORDS[f.sizeKind].padEnd(8)}${share}  ${f.title}`);
    for (const x of f.examples.slice(0, TEXT_EXAMPLES)) {
      lines.push(`      ${padLeft(formatBytes(x.bytes), 10)}  ${x.className} @${x.id}: ${x.detail}`);
      if (x.pathText) lines.push(`                  ${x.pathText}`);
    }
  }
  return lines.join('\n');
}
