import { locationText } from '../analysis/source-locations.js';
import type { DuplicateString } from '../analysis/strings.js';
import { formatBytes, formatCount, padLeft } from '../format.js';
import { pathFunctionsText, type SuspectJson } from './leak-findings.js';

/** `heapwatch analyze`'s first section: each suspect, where it accumulates, and its path from the GC roots. */
export function suspectsText(suspects: readonly SuspectJson[]): string {
  if (suspects.length === 0) {
    return 'Leak suspects: none (no object or class below the roots retains more than 10% of the heap)';
  }
  const lines = ['Leak suspects'];
  suspects.forEach((x, i) => {
    lines.push(`  ${i + 1}. ${x.headline}`);
    const held = x.holds
      .map((h) => {
        const where = h.location ? ` (${locationText(h.location)})` : '';
        return `${formatCount(h.count)} × ${h.className}${where} ${formatBytes(h.retainedSize)}`;
      })
      .join(', ');
    if (x.module) {
      lines.push(`     the copies hold ${held || 'nothing measurable'}`);
    } else if (x.detached) {
      lines.push(`     the holder keeps ${held || 'them'}`);
    } else if (x.chain) {
      lines.push(
        `     a linked chain of ${formatCount(x.chain.links)} × ${x.chain.className}, head @${x.accumulationPoint.id} retains ${formatBytes(x.accumulationPoint.retainedSize)}${held ? `; the links hold ${held}` : ''}`,
      );
    } else if (x.kind === 'object') {
      lines.push(
        `     accumulates in ${x.accumulationPoint.className} @${x.accumulationPoint.id} (${formatBytes(x.accumulationPoint.retainedSize)})${held ? `: ${held}` : ''}`,
      );
    } else {
      lines.push(
        `     held together by ${x.accumulationPoint.className} @${x.accumulationPoint.id}: ${Math.round(x.pathShare * 100)}% of sampled instances' paths start ${lastTokens(x.pathText)}`,
      );
    }
    for (const h of x.holds) {
      const c = h.asyncContext;
      if (!c) continue;
      const runs = c.callback ? ` runs ${c.callback} and` : '';
      lines.push(
        `     each ${h.className}${runs} keeps an AsyncLocalStorage store: ${c.store.className} @${c.store.id} (${formatBytes(c.store.retainedSize)})`,
      );
    }
    for (const h of x.alsoHeldBy) {
      const who = h.name ? `${h.name} (${h.className} @${h.id})` : `${h.className} @${h.id}`;
      const where = h.pathText ? `: ${shortPath(h.pathText)}` : '';
      lines.push(`     also held by ${who}, ${Math.round(h.share * 100)}% of sampled objects${where}`);
    }
    if (x.path.length === 0) lines.push('     path: none over strong references (only weak references reach it)');
    else if (x.kind !== 'class') lines.push(`     path: ${x.pathText}`);
    else lines.push(`     path of one: ${withClass(x.samplePathText, x.className)}`);
    const functions = pathFunctionsText(x.path);
    if (functions) lines.push(`     defined at: ${functions}`);
  });
  return lines.join('\n');
}

/** Strings held more than once, most wasted bytes first. */
export function duplicateStringsText(rows: readonly DuplicateString[]): string {
  if (rows.length === 0) return 'Duplicate strings: none';
  const lines = [
    'Duplicate strings (same value held more than once)',
    `  ${padLeft('wasted', 10)} ${padLeft('count', 8)} ${padLeft('each', 9)}  value`,
  ];
  for (const r of rows) {
    lines.push(
      `  ${padLeft(formatBytes(r.wastedSize), 10)} ${padLeft(formatCount(r.count), 8)} ${padLeft(formatBytes(r.selfSize), 9)}  ${JSON.stringify(clipValue(r.value))}`,
    );
  }
  return lines.join('\n');
}

/** A class suspect's instance path ends at the instance: say its class unless the path already does. */
function withClass(pathText: string, className: string): string {
  return pathText.endsWith(className) ? pathText : `${pathText} → ${className}`;
}

/** A path's last few hops, enough to find the holder in the code. */
function shortPath(pathText: string): string {
  const tokens = pathText.split(' → ');
  return tokens.length <= 5 ? pathText : `… → ${tokens.slice(-5).join(' → ')}`;
}

/** The end of a path, for saying where the shared part stops: `… → context → recentRequests`. */
function lastTokens(pathText: string): string {
  const tokens = pathText.split(' → ');
  return tokens.length <= 3 ? pathText : `… → ${tokens.slice(-3).join(' → ')}`;
}

function clipValue(v: string): string {
  return v.length > 60 ? `${v.slice(0, 59)}…` : v;
}
