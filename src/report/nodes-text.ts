import { formatBytes } from '../format.js';
import { describeNode } from './node-row.js';
import type { NodesReport } from './nodes-report.js';

/** How an edge reads in a path: `.name`, `[3]`, `->context`, `{internal}`, `[[weak]]`. */
export function edgeLabel(type: string, name: string): string {
  switch (type) {
    case 'element':
      return `[${name}]`;
    case 'context':
      return `->${name}`;
    case 'weak':
      return `[[${name}]]`;
    case 'internal':
    case 'hidden':
      return `{${name}}`;
    default:
      return /^[\w$]+$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
  }
}

export function renderNodesText(r: NodesReport): string {
  const blocks = r.nodes.map((n) => {
    const lines = [
      `${describeNode(n)}  (${n.type})`,
      `  self ${formatBytes(n.selfSize)}, retained ${formatBytes(n.retainedSize)}`,
      `  dominator: ${describeNode({ id: n.dominatorId, name: n.dominatorName, className: n.dominatorClassName })}`,
      `  retainers (${n.retainerCount}${n.retainers.length < n.retainerCount ? `, ${n.retainers.length} shown` : ''}):`,
    ];
    for (const ret of n.retainers) {
      lines.push(
        `    ${describeNode(ret)} ${edgeLabel(ret.edgeType, ret.edgeName)}  (retains ${formatBytes(ret.retainedSize)})`,
      );
    }
    return lines.join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}
