import { findByClass, findByName } from '../analysis/find.js';
import { classHistogram } from '../analysis/histogram.js';
import { nodeName } from '../analysis/index.js';
import type { ClassRow, HeapAnalysis } from '../analysis/types.js';
import { usageError } from '../errors.js';
import { clip, type NodeRow, nodeRow } from './node-row.js';

export type FindQuery = { className: string } | { name: string };

/** `find` (the MCP server's tool): objects of a class, or reached by a property/variable name. */
export interface FindReport {
  schema: 'heapwatch/find@1';
  snapshot: { path: string };
  query: { className: string } | { name: string };
  /** Objects of the class(es), or references of that name, in the whole heap. */
  matched: number;
  /** By class: the matching classes' histogram rows (count, shallow, retained by DevTools' rule). */
  classes?: ClassRow[];
  /** The biggest matches by retained size; by name, with the object and reference that holds each. */
  objects: (NodeRow & { holder?: { id: number; name: string; className: string; edgeType: string; edge: string } })[];
}

export function buildFindReport(path: string, a: HeapAnalysis, query: FindQuery, limit: number): FindReport {
  const s = a.snapshot;
  if ('className' in query) {
    const classes: number[] = [];
    a.classNames.forEach((name, i) => {
      if (name === query.className) classes.push(i);
    });
    const found = findByClass(a, classes, limit);
    return {
      schema: 'heapwatch/find@1',
      snapshot: { path },
      query: { className: query.className },
      matched: found.matched,
      classes: classHistogram(a, 'retained').filter((r) => r.className === query.className),
      objects: found.objects.map((f) => nodeRow(a, f.node)),
    };
  }
  if (query.name === '') throw usageError('the name to find is empty');
  const found = findByName(a, query.name, limit);
  return {
    schema: 'heapwatch/find@1',
    snapshot: { path },
    query: { name: query.name },
    matched: found.matched,
    objects: found.objects.map((f) => ({
      ...nodeRow(a, f.node),
      holder: {
        id: s.nodeId(f.holder),
        name: clip(nodeName(a, f.holder), 60),
        className: a.classNames[a.classOf[f.holder]],
        edgeType: s.edgeTypeName(f.edge),
        edge: s.edgeName(f.edge),
      },
    })),
  };
}
