import { lowerBound, nodesOfType } from '../../snapshot/snapshot.js';
import type { HeapAnalysis } from '../types.js';
import { KnownNames } from './names.js';

/** Position of the AllocationSite node name among the known names (the edge names come after it). */
const SITE = 0;

/**
 * The objects V8 keeps as object literals' templates (the targets of an AllocationSite's `boilerplate` or
 * `transition_info` edge), sorted: copies the program never sees, whose paths run through compiled code.
 * Found from the sites forward, so no retainer index is needed (building one costs 8 bytes an edge).
 */
export function literalTemplates(a: HeapAnalysis): Uint32Array {
  const s = a.snapshot;
  const names = new KnownNames(s, ['system / AllocationSite', 'boilerplate', 'transition_info']);
  const { firstEdge, edgeTypes, edgeNames, edgeTargets } = s;
  const code = s.nodeType.code;
  const internal = s.edgeType.internal;
  const found: number[] = [];
  for (const o of nodesOfType(s, code)) {
    if (names.ofNode(o) !== SITE) continue;
    for (let e = firstEdge[o], end = firstEdge[o + 1]; e < end; e++) {
      if (edgeTypes[e] === internal && names.of(edgeNames[e]) > SITE) found.push(edgeTargets[e]);
    }
  }
  return Uint32Array.from(found).sort();
}

/** Whether `o` is in `templates` (sorted, from literalTemplates). */
export function isTemplate(templates: Uint32Array, o: number): boolean {
  return templates[lowerBound(templates, o)] === o;
}

/** Per class in `classes`, how many of `templates` are its instances and their shallow bytes. */
export function templatesOf(
  a: HeapAnalysis,
  templates: Uint32Array,
  classes: number[],
): { count: number; bytes: number }[] {
  const out = classes.map(() => ({ count: 0, bytes: 0 }));
  let last = -1;
  for (const o of templates) {
    if (o === last) continue; // one template may be reached by both edges
    last = o;
    const i = classes.indexOf(a.classOf[o]);
    if (i < 0 || a.selfSizes[o] === 0) continue; // the histogram counts sized objects only
    out[i].count++;
    out[i].bytes += a.selfSizes[o];
  }
  return out;
}
