import { locationText } from '../analysis/source-locations.js';
import type { ClassRow } from '../analysis/types.js';
import { formatBytes, formatCount, padLeft } from '../format.js';
import type { HistoReport } from './histo-report.js';

/** The jmap -histo style table: rank, count, shallow, retained, class. */
export function histogramTable(rows: ClassRow[], firstRank = 1): string {
  const lines = [
    `${padLeft('rank', 5)} ${padLeft('count', 11)} ${padLeft('shallow', 10)} ${padLeft('retained', 10)}  class`,
  ];
  rows.forEach((r, i) => {
    lines.push(
      `${padLeft(String(firstRank + i), 5)} ${padLeft(formatCount(r.count), 11)} ${padLeft(formatBytes(r.shallowSize), 10)} ${padLeft(formatBytes(r.retainedSize), 10)}  ${r.className}${r.location ? ` (${locationText(r.location)})` : ''}`,
    );
  });
  return lines.join('\n');
}

/** `heapwatch histo`'s text: the table and a total line. */
export function renderHistoText(r: HistoReport): string {
  const shown = r.classes.length < r.classCount ? ` (${r.classes.length} shown)` : '';
  return `${histogramTable(r.classes)}\nTotal ${formatCount(r.objectCount)} objects, ${formatBytes(r.snapshot.totalSize)}, ${formatCount(r.classCount)} classes${shown}\n`;
}
