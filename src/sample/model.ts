import { fileURLToPath } from 'node:url';
import type { CallFrame, HeapProfile, ProfileNode } from './profile.js';

/** A function as the report names it. line and column are 1-based (as an editor shows them), null without a script. */
export interface Frame {
  function: string;
  url: string | null;
  line: number | null;
  column: number | null;
}

/** A node of the folded call tree: frames a developer recognises, with Node's internals and builtins folded in. */
export interface FoldedNode {
  /** Index into SampleModel.frames; -1 for the root. */
  frame: number;
  selfBytes: number;
  totalBytes: number;
  samples: number;
  parent: FoldedNode | null;
  children: FoldedNode[];
}

export interface SiteTotals {
  frame: number;
  selfBytes: number;
  samples: number;
}

export interface SampleModel {
  frames: Frame[];
  root: FoldedNode;
  /** Per frame index: its bytes and samples summed over every path that reaches it (bottom-up). */
  sites: SiteTotals[];
  totalBytes: number;
  totalSamples: number;
  /** Bytes allocated under heapwatch's own guard frames, left out of everything above. */
  guardBytes: number;
}

/**
 * Frames of the application and its libraries: a script outside Node itself. `node:` modules (and `internal/` on
 * old versions) are Node's own; builtins such as `Array.prototype.map` and V8's pseudo-frames have no script.
 */
export function isUserFrame(f: CallFrame): boolean {
  if (f.url === '' || f.scriptId === '0') return false;
  return !f.url.startsWith('node:') && !f.url.startsWith('internal/');
}

/** heapwatch's own guard (its memory watch, its socket): what it keeps alive is ours, not the application's. */
const GUARD_DIR = fileURLToPath(new URL('../guard/', import.meta.url));
/** The guard as installed elsewhere (a profile written in production and read here with --from). */
const INSTALLED_GUARD = /\/node_modules\/heapwatch\/dist\/guard\/[^/]+\.c?js$/;

/** A frame of heapwatch's guard scripts (heapwatch/register and what it loads). */
export function isGuardFrame(f: CallFrame): boolean {
  if (f.url === '') return false;
  const path = f.url.startsWith('file://') ? decodeURIComponent(f.url.slice(7)) : f.url;
  return path.startsWith(GUARD_DIR) || INSTALLED_GUARD.test(path);
}

export function frameOf(f: CallFrame): Frame {
  const hasScript = f.url !== '' && f.lineNumber >= 0;
  return {
    function: f.functionName || '(anonymous)',
    url: f.url === '' ? null : f.url,
    line: hasScript ? f.lineNumber + 1 : null,
    column: hasScript ? f.columnNumber + 1 : null,
  };
}

function frameKey(f: CallFrame): string {
  return `${f.functionName}\u0000${f.url}\u0000${f.lineNumber}\u0000${f.columnNumber}`;
}

/**
 * Folds V8's call tree: a frame of Node's internals or a script-less builtin is counted in the nearest user frame
 * that called it (`Array.prototype.map` inside `leak()` is `leak()`'s allocation). Internal frames with no user
 * caller above them (timers, streams, module loading) stay, each as a site of its own at the top, so no byte is
 * lost; a user frame below them starts its path at the root. heapwatch's own guard frames and all they call are
 * left out (counted in guardBytes only).
 */
export function buildModel(profile: HeapProfile): SampleModel {
  const frames: Frame[] = [];
  const frameIndex = new Map<string, number>();
  const sites: SiteTotals[] = [];
  const root: FoldedNode = { frame: -1, selfBytes: 0, totalBytes: 0, samples: 0, parent: null, children: [] };
  const childIndex = new Map<FoldedNode, Map<number, FoldedNode>>();
  const foldedOf = new Map<number, FoldedNode>(); // profile node id → where its bytes are counted

  const frameFor = (cf: CallFrame): number => {
    const key = frameKey(cf);
    let i = frameIndex.get(key);
    if (i === undefined) {
      i = frames.length;
      frameIndex.set(key, i);
      frames.push(frameOf(cf));
      sites.push({ frame: i, selfBytes: 0, samples: 0 });
    }
    return i;
  };
  const childOf = (parent: FoldedNode, frame: number): FoldedNode => {
    let kids = childIndex.get(parent);
    if (!kids) childIndex.set(parent, (kids = new Map()));
    let c = kids.get(frame);
    if (!c) {
      c = { frame, selfBytes: 0, totalBytes: 0, samples: 0, parent, children: [] };
      kids.set(frame, c);
      parent.children.push(c);
    }
    return c;
  };

  // (node, the folded node of its nearest user caller or null when it has none)
  const stack: [ProfileNode, FoldedNode | null][] = [];
  let guardBytes = 0;
  for (const c of profile.head.children) stack.push([c, null]);
  if (profile.head.selfSize > 0) foldedOf.set(profile.head.id, childOf(root, frameFor(profile.head.callFrame)));
  else foldedOf.set(profile.head.id, root);
  while (stack.length > 0) {
    const [node, userCaller] = stack.pop() as [ProfileNode, FoldedNode | null];
    if (isGuardFrame(node.callFrame)) {
      guardBytes += subtreeBytes(node);
      continue;
    }
    let here: FoldedNode;
    let callerForChildren: FoldedNode | null;
    if (isUserFrame(node.callFrame)) {
      here = childOf(userCaller ?? root, frameFor(node.callFrame));
      callerForChildren = here;
    } else if (userCaller) {
      here = userCaller;
      callerForChildren = userCaller;
    } else {
      // internal code with nobody of the application above: its own site, created only if it allocated
      here = node.selfSize > 0 ? childOf(root, frameFor(node.callFrame)) : root;
      callerForChildren = null;
    }
    foldedOf.set(node.id, here);
    here.selfBytes += node.selfSize;
    for (const c of node.children) stack.push([c, callerForChildren]);
  }

  for (const s of profile.samples) {
    const f = foldedOf.get(s.nodeId);
    if (f && f !== root) f.samples++;
  }
  // totals bottom-up, without recursion: children come after parents in this order
  const order: FoldedNode[] = [root];
  for (let i = 0; i < order.length; i++) for (const c of order[i].children) order.push(c);
  let totalBytes = 0;
  let totalSamples = 0;
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i];
    n.totalBytes += n.selfBytes;
    if (n.parent) n.parent.totalBytes += n.totalBytes;
    if (n.frame >= 0) {
      sites[n.frame].selfBytes += n.selfBytes;
      sites[n.frame].samples += n.samples;
      totalBytes += n.selfBytes;
      totalSamples += n.samples;
    }
  }
  return { frames, root, sites, totalBytes, totalSamples, guardBytes };
}

function subtreeBytes(top: ProfileNode): number {
  let bytes = 0;
  const stack = [top];
  while (stack.length > 0) {
    const n = stack.pop() as ProfileNode;
    bytes += n.selfSize;
    for (const c of n.children) stack.push(c);
  }
  return bytes;
}

/** The sites that hold bytes, biggest first (ties in the order frames were met): the one ranking of every report. */
export function rankedSites(model: SampleModel): SiteTotals[] {
  return model.sites.filter((s) => s.selfBytes > 0).sort((a, b) => b.selfBytes - a.selfBytes || a.frame - b.frame);
}

/** Text as the report shows a frame: `leak (/app/leak.cjs:12:3)`, `map (builtin)`, `(V8 API)`. */
export function frameText(f: Frame): string {
  if (f.url === null) return f.function.startsWith('(') ? f.function : `${f.function} (builtin)`;
  const file = f.url.startsWith('file://') ? decodeURIComponent(f.url.slice(7)) : f.url;
  return f.line === null ? `${f.function} (${file})` : `${f.function} (${file}:${f.line}:${f.column})`;
}
