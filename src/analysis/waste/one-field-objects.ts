import { formatCount } from '../../format.js';
import type { EarlyAnalysis, HeapAnalysis } from '../types.js';
import { type WasteCandidates, wasteCandidates } from './candidates.js';
import { isTemplate, literalTemplates, templatesOf } from './literal-boilerplates.js';
import { KnownNames } from './names.js';
import { WASTE_EXAMPLES, type WasteFinding } from './types.js';

/** Classes with fewer instances are not judged; at most this many classes, biggest first, are. */
const MIN_INSTANCES = 1000;
const MAX_CLASSES = 64;
/** Instances compared per class (the first ones in the snapshot: objects allocated together sit together). */
export const SAMPLE = 64;
const SKIPPED_CLASSES = new Set(['Array', 'Map', 'Set', 'Object', 'Function']);

export const ONE_FIELD_RULE =
  `Classes (plain objects by shape, as DevTools names them) with at least ${formatCount(MIN_INSTANCES)} instances: ` +
  `the first ${SAMPLE} instances (those with the most common set of fields) are compared field by field (named properties and unnamed in-object fields); a ` +
  'field is the same when it points at the same object or at strings of equal value. Reported when at most one ' +
  'field differs. Small integers, booleans, null and undefined are not in a snapshot, so fields holding only ' +
  'those cannot be compared and count as the same. The templates V8 keeps for object literals (held by an ' +
  'AllocationSite) are left out. Bytes: the shallow size of all instances.';

/** The classes the one-field check samples, biggest shallow size first (at most MAX_CLASSES). */
export function oneFieldClasses(a: EarlyAnalysis): number[] {
  const { count, shallowSize } = a.classCounts;
  const candidates: number[] = [];
  for (let c = 0; c < a.classNames.length; c++) {
    const name = a.classNames[c];
    if (count[c] < MIN_INSTANCES || SKIPPED_CLASSES.has(name) || name.startsWith('(') || name.startsWith('system ')) {
      continue;
    }
    candidates.push(c);
  }
  candidates.sort((x, y) => shallowSize[y] - shallowSize[x]);
  candidates.length = Math.min(candidates.length, MAX_CLASSES);
  return candidates;
}

/**
 * Many small objects that differ only in one field (or in none the snapshot shows), among the candidates' sampled
 * classes (from oneFieldClasses, SAMPLE instances each).
 */
export function oneFieldObjects(
  a: HeapAnalysis,
  cands: WasteCandidates = wasteCandidates(a, oneFieldClasses(a), SAMPLE),
): WasteFinding[] {
  const s = a.snapshot;
  const { count, shallowSize } = a.classCounts;
  const { sampledClasses: classes, samples, sampleCount: taken } = cands;
  const names = new KnownNames(s, ['__proto__']);
  const templates = literalTemplates(a);
  const found: { c: number; field: string | undefined; members: number[] }[] = [];
  classes.forEach((c, i) => {
    // V8's template for an object literal has the literal's shape but is not the program's: never an example
    const group = Array.from(samples.subarray(i * SAMPLE, i * SAMPLE + taken[i])).filter(
      (o) => !isTemplate(templates, o),
    );
    if (group.length < 2) return;
    const members: number[] = [];
    const varying = varyingFields(a, names, group, members);
    if (varying === null || varying.length > 1) return;
    found.push({ c, field: varying[0], members });
  });
  const kept = templatesOf(
    a,
    templates,
    found.map((f) => f.c),
  );
  const out: WasteFinding[] = [];
  found.forEach(({ c, field, members }, i) => {
    const n = count[c] - kept[i].count;
    const what = field === undefined ? 'identical in every field the snapshot shows' : `differ only in ${field}`;
    out.push({
      kind: 'one-field-objects',
      title: `${formatCount(n)} × ${a.classNames[c]} ${what}`,
      count: n,
      bytes: shallowSize[c] - kept[i].bytes,
      sizeKind: 'shallow',
      rule: ONE_FIELD_RULE,
      examples: members.slice(0, WASTE_EXAMPLES).map((node) => ({
        node,
        bytes: a.selfSizes[node],
        detail: field === undefined ? 'same fields as the others' : `varies: ${field}`,
      })),
    });
  });
  return out.sort((x, y) => y.bytes - x.bytes);
}

/**
 * The fields whose values differ among the objects (by name: `x`, or `field #k` for an unnamed in-object
 * field), or null when fewer than half of them have the same fields, or none; `members` receives the objects compared.
 */
function varyingFields(a: HeapAnalysis, names: KnownNames, group: number[], members: number[]): string[] | null {
  const s = a.snapshot;
  const { firstEdge, edgeTypes, edgeNames, edgeTargets } = s;
  const property = s.edgeType.property;
  const hidden = s.edgeType.hidden;
  const fields = (o: number): number[] => {
    const out: number[] = [];
    for (let e = firstEdge[o], end = firstEdge[o + 1]; e < end; e++) {
      const t = edgeTypes[e];
      if ((t === property && names.of(edgeNames[e]) !== 0) || t === hidden) out.push(e);
    }
    return out;
  };
  // compare the objects of the most common field layout (a few odd ones, e.g. with an extra property, are left out)
  const byLayout = new Map<string, number[][]>();
  const membersOf = new Map<string, number[]>();
  for (const o of group) {
    const f = fields(o);
    const key = f.map((e) => `${edgeTypes[e]}:${edgeNames[e]}`).join(',');
    const list = byLayout.get(key);
    if (list) list.push(f);
    else byLayout.set(key, [f]);
    membersOf.set(key, [...(membersOf.get(key) ?? []), o]);
  }
  const [layout, same] = [...byLayout.entries()].sort((x, y) => y[1].length - x[1].length)[0];
  members.push(...(membersOf.get(layout) ?? []));
  const first = same[0];
  if (first.length === 0 || same.length * 2 < group.length) return null;
  const differs = new Uint8Array(first.length);
  const stringType = s.nodeType.string;
  const nameOf = (o: number) => s.nodes[o * s.nodeFieldCount + s.nodeNameOffset];
  for (let k = 1; k < same.length; k++) {
    const other = same[k];
    for (let f = 0; f < first.length; f++) {
      const v0 = edgeTargets[first[f]];
      const v1 = edgeTargets[other[f]];
      const equal =
        v0 === v1 || (s.nodeTypeOf(v0) === stringType && s.nodeTypeOf(v1) === stringType && nameOf(v0) === nameOf(v1));
      if (!equal) differs[f] = 1;
    }
  }
  const out: string[] = [];
  for (let f = 0; f < first.length; f++) {
    if (!differs[f]) continue;
    const e = first[f];
    out.push(
      edgeTypes[e] === property ? s.edgeName(e) : `in-object field #${s.edgeNameOrIndex(e)} (V8 leaves its name out)`,
    );
  }
  return out;
}
